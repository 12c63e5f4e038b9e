import Foundation
import SymGrad
import SymGradTestSupport
import Testing

@testable import SymGradCLI

/// `multi_head_attention_forward` (nn.MultiheadAttention): values and Jacobians against
/// PyTorch are in `linalg.json` (`linalg/mha/...`, symbolic and oracle); here the tuple,
/// the errors PyTorch raises or SymGrad refuses, and fully masked rows beside PyTorch's
/// recorded behaviour.
@Suite struct MultiheadAttentionTests {
  /// Identity projections, one head, E = 2: the attention of the raw inputs.
  static let identity = "[[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]]"
  static let eye2 = "[[1, 0], [0, 1]]"

  func call(_ x: String, heads: Int = 1, _ extra: String = "") -> String {
    "multi_head_attention_forward(\(x), \(x), \(x), 2, \(heads), \(Self.identity), None, None, None, False, 0.0, \(Self.eye2), None\(extra))"
  }

  /// The tuple: output (L, N, E) and averaged weights (N, L, S); with need_weights=False the
  /// weights are None. With identity projections and one head the output is softmax(x x^T /
  /// sqrt 2) x, written out here for two tokens.
  @Test func returnsPyTorchsTuple() throws {
    let x = "[[[a, b]], [[c, d]]]"
    let v = try Expr.Value(parsing: call(x))
    guard case .list(let items) = v, items.count == 2 else {
      Issue.record("not a pair: \(v)")
      return
    }
    #expect(items[0].shape == [2, 1, 2])
    #expect(items[1].shape == [1, 2, 2])
    let point: [String: Double] = ["a": 0.5, "b": -1, "c": 2, "d": 0.25]
    let s = { (p: [Double], q: [Double]) in (p[0] * q[0] + p[1] * q[1]) / 2.0.squareRoot() }
    let tokens = [[0.5, -1], [2, 0.25]]
    for i in 0..<2 {
      let scores = tokens.map { s(tokens[i], $0) }
      let m = scores.max()!
      let w = scores.map { Foundation.exp($0 - m) }
      let total = w.reduce(0, +)
      for c in 0..<2 {
        let expected = (0..<2).reduce(0.0) { $0 + w[$1] / total * tokens[$1][c] }
        #expect(isApprox(try items[0].flattened[i * 2 + c].evaluate(at: point), expected, rtol: 1e-14))
      }
      #expect(isApprox(try items[1].flattened[i * 2].evaluate(at: point), w[0] / total, rtol: 1e-14))
    }
    let fused = try Expr.Value(parsing: call(x, ", need_weights=False"))
    guard case .list(let pair) = fused else { return }
    #expect(pair[1] == .scalar(.symbol("None")))
    #expect(try Expr.Value(parsing: call(x) + "[0]") == items[0])
  }

  /// static_k/static_v (N*H, S', E/H) replace the projected keys and values of each head:
  /// with identity projections and one head the weights of query i are softmax over the S'
  /// static keys of q_i . k_j / sqrt(2), and the key and value inputs have no influence.
  @Test func staticKeysAndValuesReplaceTheProjections() throws {
    let x = "[[[a, b]], [[c, d]]]"
    let statics = ", static_k=[[[1, 0], [0, 1], [1, 1]]], static_v=[[[2, 0], [0, 2], [1, 1]]]"
    let weights = try Expr.Value(parsing: call(x, statics) + "[1]")
    #expect(weights.shape == [1, 2, 3])
    let point: [String: Double] = ["a": 0.5, "b": -1, "c": 2, "d": 0.25]
    let keys = [[1.0, 0], [0, 1], [1, 1]]
    for (i, q) in [[0.5, -1.0], [2, 0.25]].enumerated() {
      let scores = keys.map { (q[0] * $0[0] + q[1] * $0[1]) / 2.0.squareRoot() }
      let total = scores.map { Foundation.exp($0) }.reduce(0, +)
      for j in 0..<3 {
        let w = try weights.flattened[i * 3 + j].evaluate(at: point)
        #expect(isApprox(w, Foundation.exp(scores[j]) / total, rtol: 1e-14))
      }
    }
    // The output does not depend on the key/value inputs: a different key changes nothing.
    let cross =
      "multi_head_attention_forward(\(x), [[[7, 8]]], [[[9, 1]]], 2, 1, \(Self.identity), None, None, None, False, 0.0, \(Self.eye2), None\(statics))[0]"
    #expect(try Expr.Value(parsing: cross) == Expr.Value(parsing: call(x, statics) + "[0]"))
  }

  /// Masks in MultiheadAttention's convention: True = masked, the opposite of SDPA's.
  @Test func booleanMasksMaskWhereTrue() throws {
    let x = "[[[a, b]], [[c, d]]]"
    let point: [String: Double] = ["a": 0.5, "b": -1, "c": 2, "d": 0.25]
    let weights = try Expr.Value(parsing: call(x, ", attn_mask=[[False, True], [False, False]]") + "[1]").flattened
    #expect(try weights[1].evaluate(at: point) == 0)  // query 0 does not see key 1 (exp(-inf + s) -> 0)
    #expect(try weights[0].evaluate(at: point) == 1)
    #expect(try weights[3].evaluate(at: point) > 0)
    let padded = try Expr.Value(parsing: call(x, ", key_padding_mask=[[False, True]]") + "[1]").flattened
    #expect(try padded[1].evaluate(at: point) == 0 && padded[3].evaluate(at: point) == 0)  // key 1 is padding
  }

  /// Refused with a reason at the argument's column, never misread: PyTorch's shape
  /// errors, and what SymGrad does not model (random dropout, added key/value rows).
  @Test func errorsNameTheArgument() throws {
    func message(_ text: String) -> String {
      do {
        _ = try Expr.Value(parsing: text)
        return ""
      } catch { return "\(error)" }
    }
    let x = "[[[a, b]], [[c, d]]]"
    #expect(message(call(x, heads: 3)).contains("embed_dim 2 not divisible by num_heads 3"))
    #expect(
      message(call(x).replacingOccurrences(of: "0.0, \(Self.eye2)", with: "0.5, \(Self.eye2)"))
        .contains("makes attention random"))
    #expect(
      message(call(x).replacingOccurrences(of: "0.0, \(Self.eye2)", with: "0.5, \(Self.eye2)") + "")
        .contains("column"))
    // dropout_p with training=False is no dropout (PyTorch sets it to 0).
    #expect(
      message(call(x, ", training=False").replacingOccurrences(of: "0.0, \(Self.eye2)", with: "0.5, \(Self.eye2)"))
        .isEmpty)
    #expect(
      message(call(x).replacingOccurrences(of: "None, None, False", with: "[[[1, 2]]], None, False")).contains(
        "bias_k and bias_v must both be given or both be None"))
    #expect(
      message(call(x).replacingOccurrences(of: "None, None, False", with: "[[[1, 2, 3]]], [[[1, 2, 3]]], False"))
        .contains("bias_k must have 2 entries"))
    #expect(message(call(x, ", static_k=[[[1, 2, 3]]]")).contains("expecting static_k.size(2) of 2, but got 3"))
    #expect(message(call(x, ", static_k=[[[1, 2]], [[3, 4]]]")).contains("expecting static_k.size(0) of 1, but got 2"))
    #expect(
      message(
        call(x, ", static_k=[[[1, 2]]]").replacingOccurrences(
          of: "None, None, False", with: "[[[1, 2]]], [[[3, 4]]], False")
      )
      .contains("bias cannot be added to static key"))
    // A static key of length 1 and projected values of length 2 cannot be paired.
    #expect(message(call(x, ", static_k=[[[1, 2]]]")).contains("must have the same length"))
    #expect(
      message(call(x, ", static_k=[[[1, 2]]], static_v=[[[1, 2]]], key_padding_mask=[[False, True]]")).contains(
        "expecting key_padding_mask shape of [1, 1]"))
    // bias_k/bias_v and add_zero_attn add keys: 2 + 1 + 1 columns of weights.
    let extended = try Expr.Value(
      parsing: call(x).replacingOccurrences(of: "None, None, False", with: "[[[1, 2]]], [[[3, 4]]], True") + "[1]")
    #expect(extended.shape == [1, 2, 4])
    #expect(message(call(x, ", is_causal=True")).contains("Need attn_mask if specifying the is_causal hint"))
    #expect(
      message(call(x, ", attn_mask=[[False, True, False]]")).contains(
        "The shape of the 2D attn_mask is [1, 3], but should be [2, 2]."))
    #expect(message(call(x, ", key_padding_mask=[False, True]")).contains("expecting key_padding_mask shape of [1, 2]"))
    #expect(
      message(call("[[a, b], [c, d]]").replacingOccurrences(of: ", 2, 1,", with: ", 3, 1,")).contains(
        "was expecting embedding dimension of 3, but got 2"))
    #expect(message(call(x, ", need_weight=True")).contains("did you mean 'need_weights'"))
  }

  /// The is_causal hint: on PyTorch's fused path (need_weights=False, no key padding mask)
  /// the causal mask replaces attn_mask; elsewhere attn_mask is used as given. A
  /// non-causal attn_mask shows which one was used.
  @Test func isCausalIsAHintAsInPyTorch() throws {
    let x = "[[[a, b]], [[c, d]]]"
    let notCausal = ", attn_mask=[[True, False], [False, False]]"
    let fused = try Expr.Value(parsing: call(x, notCausal + ", is_causal=True, need_weights=False") + "[0]")
    let causal = try Expr.Value(
      parsing: call(x, ", attn_mask=[[False, True], [False, False]], need_weights=False") + "[0]")
    #expect(fused == causal)
    let weighted = try Expr.Value(parsing: call(x, notCausal + ", is_causal=True") + "[1]").flattened
    #expect(try weighted[0].evaluate(at: ["a": 0.5, "b": -1, "c": 2, "d": 0.25]) == 0)  // attn_mask as given
  }

  struct FullyMaskedCase: Sendable, CustomTestStringConvertible {
    var testDescription: String { id }
    let id: String
    let expression: String
    let wrt: [String]
    let at: [String: Double]
    let maskedRow: Int
    let shape: [Int]
    let pytorch: (output: [Double], jacobian: [[Double]])
    let rowUnmasked: (output: [Double], jacobian: [[Double]])
  }

  static let fullyMasked: [FullyMaskedCase] = {
    let url = Fixtures.directory.deletingLastPathComponent().appendingPathComponent("attention-fully-masked-rows.json")
    guard let data = try? Data(contentsOf: url),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let cases = json["cases"] as? [[String: Any]]
    else { return [] }
    func values(_ any: Any?) -> (output: [Double], jacobian: [[Double]]) {
      let d = any as? [String: Any] ?? [:]
      let output = (d["output"] as? [Any] ?? []).map { PyTorchRecord.number($0) ?? .nan }
      let jacobian = (d["jacobian"] as? [[Any]] ?? []).map { $0.map { PyTorchRecord.number($0) ?? .nan } }
      return (output, jacobian)
    }
    return cases.map { c in
      FullyMaskedCase(
        id: c["id"] as? String ?? "", expression: c["expr"] as? String ?? "", wrt: c["wrt"] as? [String] ?? [],
        at: (c["at"] as? [String: Any] ?? [:]).compactMapValues { PyTorchRecord.number($0) },
        maskedRow: c["masked_row"] as? Int ?? -1, shape: c["output_shape"] as? [Int] ?? [],
        pytorch: values(c["pytorch"]), rowUnmasked: values(c["row_unmasked"]))
    }
  }()

  @Test func fullyMaskedRowRecordsAreThere() {
    #expect(
      Self.fullyMasked.map(\.id).sorted() == [
        "mha/fully_masked_row/output_fused", "mha/fully_masked_row/output_need_weights", "mha/fully_masked_row/weights",
      ])
  }

  /// A row of attn_mask all True (masked): PyTorch gives NaN with need_weights=True (plain
  /// softmax) and 0 attention (the output is out_proj's bias) on the fused path; SymGrad's
  /// value is the same-rate limit, softmax(s - t) = softmax(s): PyTorch's own value with
  /// that row unmasked, output and Jacobian. Other rows agree with PyTorch everywhere.
  @Test(arguments: fullyMasked)
  func fullyMaskedRowsAreTheLimit(_ c: FullyMaskedCase) throws {
    let value = try Expr.Value(parsing: c.expression)
    let outputs = value.flattened
    #expect(value.shape == c.shape)
    let jacobian = outputs.jacobian(withRespectTo: c.wrt.map(Expr.symbol))
    let rowWidth = c.shape.last!
    let rowOfOutput = { (i: Int) in (i / rowWidth) % c.shape[c.shape.count - 2] }
    // The library's certified evaluation (what `symgrad eval` and `diff` print): the -inf
    // entries of the mask tend to -inf at the same rate.
    for i in outputs.indices {
      let s = try outputs[i].evaluate(at: c.at)
      #expect(isApprox(s, c.rowUnmasked.output[i], rtol: 1e-9, atol: 1e-12), "\(c.id) output[\(i)]: \(s)")
      for j in c.wrt.indices {
        let d = try jacobian[i][j].evaluate(at: c.at)
        #expect(isApprox(d, c.rowUnmasked.jacobian[i][j], rtol: 1e-8, atol: 1e-11), "\(c.id) [\(i)][\(j)]: \(d)")
      }
      let masked = c.id.hasSuffix("/weights") ? rowOfOutput(i) == c.maskedRow : (i / rowWidth) == c.maskedRow
      if !masked {
        #expect(isApprox(c.pytorch.output[i], c.rowUnmasked.output[i], rtol: 1e-12, atol: 1e-15))
      } else if c.id.hasSuffix("output_fused") {
        // Attention 0: the output is out_proj_bias, [2, -1, -2, 0.625] in the record.
        #expect(!c.pytorch.output[i].isNaN && c.pytorch.output[i] != c.rowUnmasked.output[i])
      } else {
        #expect(c.pytorch.output[i].isNaN)
      }
    }
  }
}
