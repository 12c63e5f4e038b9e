import Foundation
import Testing

@testable import SymGradCLI

/// `symgrad derive` (issue 11): its flags and JSON keys are a contract.
@Suite struct DeriveCommandTests {
  func run(_ args: String...) -> (status: Int32, out: String, err: String) { run(args) }

  func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
    let o = Output()
    let s = CommandLineTool.run(args, output: o)
    return (s, o.standardOutput, o.standardError)
  }

  @Test func crossEntropyGradientForEverySize() {
    let r = run("derive", "cross_entropy(X, t)", "--shape", "X=N,C")
    #expect(r.status == 0, "\(r.err)")
    #expect(
      r.out.contains(
        "dL/dX[n, c] = exp(X[n, c])/(Symbol('N')*Sum(exp(X[n, k]), (k, 1, Symbol('C')))) - KroneckerDelta(c, t[n])/Symbol('N')"
      ), "\(r.out)")
    #expect(r.out.contains("checked against the explicit engine at 7 sizes"), "\(r.out)")
    #expect(r.out.contains("50 entries, 50 equal symbolically, all equal in certified values"), "\(r.out)")
  }

  @Test func jsonKeysAreTheContract() throws {
    let r = run(
      "derive", "cross_entropy(X, t, weight=w, ignore_index=-100, label_smoothing=0.1)", "--shape", "X=N,C",
      "--shape", "w=C", "--shape", "unused=N", "--json")
    #expect(r.status == 0, "\(r.err)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    #expect(json["function"] as? String == "cross_entropy")
    let loss = try #require(json["loss"] as? [String: Any])
    #expect(loss["text"] is String && loss["latex"] is String)
    let gradient = try #require(json["gradient"] as? [String: Any])
    #expect(gradient["entry"] as? String == "X[n, c]")
    #expect((gradient["latex"] as? String)?.contains("\\left[t_{n} \\neq \\iota\\right]") == true)
    let verification = try #require(json["verification"] as? [String: Any])
    #expect(verification["passed"] as? Bool == true)
    #expect((verification["sizes"] as? [String])?.count == 7)
    #expect(verification["comparisons"] as? Double == 50 && verification["symbolic"] as? Double == 50)
    #expect((verification["failures"] as? [String])?.isEmpty == true)
    let matrix = try #require(json["matrix"] as? [String: Any])
    let text = try #require(matrix["text"] as? String)
    #expect(text.hasPrefix("dL/dX = ") && text.contains("9 diag(w[t]) (diag([t != ignore_index]) P - Y)"), "\(text)")
    #expect(matrix["definitions"] as? [String] == ["P = softmax(X, dim=1)", "Y = one_hot(t, C)"])
    // No matrix form (a function of the entries): the key is null.
    let none = run("derive", "binary_cross_entropy_with_logits(X, Y)", "--shape", "X=N,C", "--shape", "Y=N,C", "--json")
    let noneJSON = try #require(try JSONSerialization.jsonObject(with: Data(none.out.utf8)) as? [String: Any])
    #expect(noneJSON["matrix"] is NSNull)
  }

  @Test func theLinearLayersWeightGradient() {
    let r = run("derive", "cross_entropy(linear(A, W, b), t)", "--shape", "A=N,D", "--shape", "W=C,D", "--wrt", "W")
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("dL/dW[c, d] = "), "\(r.out)")
    #expect(r.out.contains("D=3") && r.out.contains("C=3"), "\(r.out)")
    let bias = run("derive", "cross_entropy(linear(A, W, b), t)", "--shape", "A=N,D", "--shape", "W=C,D", "--wrt", "b")
    #expect(bias.status == 0 && bias.out.contains("dL/db[c] = "), "\(bias.out)\(bias.err)")
  }

  /// Attention weights under an additive mask: the gradient by the scores is the masked
  /// softmax's Jacobian (a -inf mask entry gives its key zero weight and zero gradient).
  @Test func maskedSoftmaxJacobian() {
    let r = run("derive", "softmax(S + M, dim=1)", "--shape", "S=L,K", "--shape", "M=L,K")
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("dL[n, c]/dS[m, j] = "), "\(r.out)")
    #expect(
      r.out.contains("M[n, c]") && r.out.contains("S[n, c]") && r.out.contains("KroneckerDelta(m, n)"), "\(r.out)")
    // Shapes broadcast as in PyTorch: a per-key bias (K) is added to every row, a mask of
    // the transposed shape is an error.
    let bias = run("derive", "softmax(S + B, dim=1)", "--shape", "S=L,K", "--shape", "B=K")
    #expect(bias.status == 0 && bias.out.contains("B[c] + S[n, c]"), "\(bias.out)\(bias.err)")
    let transposed = run("derive", "softmax(S + M, dim=1)", "--shape", "S=L,K", "--shape", "M=K,L")
    #expect(transposed.status == 64 && transposed.err.contains("do not broadcast"), "\(transposed.err)")
  }

  /// Gemma's soft-capped logits: cross-entropy of `s tanh(X / s)`; the gradient is the
  /// usual one times the cap's derivative `1 - tanh(X / s)^2`.
  @Test func softCappedLogits() {
    let r = run("derive", "cross_entropy(s*tanh(X/s), t)", "--shape", "X=N,C")
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("tanh(X[n, c]/s)**2 - 1") && r.out.contains("50 equal symbolically"), "\(r.out)")
  }

  /// PaLM's z-loss beside cross-entropy: `z * mean(logsumexp(X, dim=1)**2)` adds
  /// `2 z lse(X[n]) softmax(X[n])_c / N` to the gradient.
  @Test func zLossBesideCrossEntropy() {
    let r = run("derive", "cross_entropy(X, t) + z*mean(logsumexp(X, dim=1)**2)", "--shape", "X=N,C")
    #expect(r.status == 0, "\(r.err)")
    #expect(
      r.out.contains(
        "2*z*exp(X[n, c])*log(Sum(exp(X[n, k]), (k, 1, Symbol('C'))))/(Symbol('N')*Sum(exp(X[n, k]), (k, 1, Symbol('C'))))"
      ), "\(r.out)")
    // Reductions along a dim, kept or not, and elementwise functions compose.
    let kept = run("derive", "mean(sum(relu(X)**2, dim=1, keepdim=True))", "--shape", "X=N,C")
    #expect(kept.status == 0 && kept.out.contains("all equal in certified values"), "\(kept.out)\(kept.err)")
  }

  /// `@`, `.T`, `.mT` and `transpose` in index notation, with Python's precedence: `A @ W.T`
  /// is `linear(A, W)`, so the weight's gradient is the same entry; every result is checked
  /// against the explicit engine (which reads the operators itself) at each size.
  @Test func matrixProductsAndTransposes() {
    func gradient(_ out: String) -> String? {
      out.split(separator: "\n").first { $0.hasPrefix("dL/dW[") }.map(String.init)
    }
    let linear = run("derive", "cross_entropy(linear(A, W), t)", "--shape", "A=N,D", "--shape", "W=C,D", "--wrt", "W")
    let product = run("derive", "cross_entropy(A @ W.T, t)", "--shape", "A=N,D", "--shape", "W=C,D", "--wrt", "W")
    #expect(
      product.status == 0 && product.out.contains("all equal in certified values"), "\(product.out)\(product.err)")
    #expect(gradient(product.out) != nil && gradient(product.out) == gradient(linear.out), "\(product.out)")
    for (text, shapes) in [
      ("mse_loss(X @ W, Y)", ["X=N,C", "W=C,D", "Y=N,D"]),
      ("mse_loss(-X @ W * 2 + Y, Y)", ["X=N,C", "W=C,D", "Y=N,D"]),
      ("mse_loss(X.T, Y)", ["X=C,N", "Y=N,C"]),
      ("sum(softmax(Q @ K.mT / 2, dim=-1) * M)", ["Q=L,D", "K=S,D", "M=L,S"]),
      ("sum(transpose(B, 0, 2) @ v)", ["B=N,C,D", "v=N"]),
      ("sum(v @ B)", ["v=C", "B=N,C,D"]),
      ("sum(B @ W)", ["B=N,C,D", "W=D,C"]),
      ("sum(softmax(X, dim=1).T @ X)", ["X=N,C"]),
    ] {
      let r = run(["derive", text] + shapes.flatMap { ["--shape", $0] })
      #expect(r.status == 0 && r.out.contains("all equal in certified values"), "\(text): \(r.out)\(r.err)")
    }
  }

  /// Tensor methods read as the calls (`A.matmul(W.T).logsumexp(1)` is
  /// `logsumexp(matmul(A, W.T), 1)`), with the same gradient; indexing is refused up front
  /// (it has no index form: its entries were read as symbols of their own, which the
  /// verification caught).
  @Test func tensorMethodsAndIndexing() {
    let shapes = ["--shape", "A=N,D", "--shape", "W=C,D", "--wrt", "W"]
    let call = run(["derive", "sum(logsumexp(matmul(A, W.T), 1))"] + shapes)
    for text in [
      "A.matmul(W.T).logsumexp(1).sum()", "(A @ W.T).logsumexp(dim=1).sum()", "logsumexp(A @ W.T, 1).sum()",
    ] {
      let method = run(["derive", text] + shapes)
      #expect(method.status == 0 && method.out.contains("all equal in certified values"), "\(text): \(method.err)")
      #expect(method.out.split(separator: "\n").first { $0.hasPrefix("dL/dW[") } != nil)
      #expect(
        method.out.split(separator: "\n").first { $0.hasPrefix("dL/dW[") }
          == call.out.split(separator: "\n").first { $0.hasPrefix("dL/dW[") }, "\(text)")
    }
    for text in ["sum(A[0])", "sum(A.T[0])", "sum(softmax(A, 1)[0])", "A.softmax(1)[0].sum()"] {
      let r = run("derive", text, "--shape", "A=N,C", "--wrt", "A")
      #expect(r.status != 0 && r.err.contains("indexing"), "\(text): \(r.out)\(r.err)")
    }
    let unknown = run("derive", "A.foo(1)", "--shape", "A=N,C", "--wrt", "A")
    #expect(unknown.status != 0 && unknown.err.contains("unknown function"), "\(unknown.err)")
  }

  @Test func fixedSizesAreCheckedAtThoseSizes() {
    let r = run("derive", "mse_loss(X, Y)", "--shape", "X=2,C", "--shape", "Y=2,C")
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("C=1") && !r.out.contains("N="), "\(r.out)")
  }

  @Test func badInputIsAClearError() {
    #expect(run("derive", "cross_entropy(X, t)").status == 64)
    let unknown = run("derive", "cross_entropi(X, t)", "--shape", "X=N,C")
    #expect(unknown.status == 1 && unknown.err.contains("did you mean cross_entropy"), "\(unknown.err)")
    let option = run("derive", "cross_entropy(X, t, size_average=True)", "--shape", "X=N,C")
    #expect(option.status == 1 && option.err.contains("size_average has no index form"), "\(option.err)")
    let unsupported = run("derive", "huber_loss(X, Y)", "--shape", "X=N,C")
    #expect(unsupported.status == 1 && unsupported.err.contains("no index form of huber_loss"), "\(unsupported.err)")
    #expect(run("derive", "cross_entropy(X, t)", "--shape", "X=N,C", "--wrt", "t").status == 64)
    #expect(run("derive", "cross_entropy(X, t)", "--shape", "X=N").status == 64)
    // A square input is an input like any other; its class index gets its own name.
    let square = run("derive", "cross_entropy(X, t)", "--shape", "X=N,N")
    #expect(square.status == 0 && square.out.contains("dL/dX[n, n2] = "), "\(square.out)\(square.err)")
    let matmul = run("derive", "mse_loss(X @ W, Y)", "--shape", "X=N,C", "--shape", "W=D,C")
    #expect(matmul.status == 64 && matmul.err.contains("inner sizes must be equal"), "\(matmul.err)")
    let attribute = run("derive", "mse_loss((X + X).T, Y)", "--shape", "X=C,N", "--shape", "Y=N,C")
    #expect(attribute.status == 1 && attribute.err.contains("apply to a tensor's name"), "\(attribute.err)")
    let deprecated = run("derive", "sum(X.T)", "--shape", "X=N,C,D")
    #expect(deprecated.status == 1 && deprecated.err.contains("PyTorch deprecates"), "\(deprecated.err)")
    let amax = run("derive", "amax(X, dim=1)", "--shape", "X=N,C")
    #expect(amax.status == 1 && amax.err.contains("no index form of amax"), "\(amax.err)")
    // A size in the expression is its value: N times the mean is the sum.
    let size = run("derive", "N*cross_entropy(X, t)", "--shape", "X=N,C")
    #expect(
      size.status == 0 && size.out.contains("dL/dX[n, c] = -KroneckerDelta(c, t[n]) + exp(X[n, c])"),
      "\(size.out)\(size.err)")
    #expect(run("derive", "cross_entropy(X, t)", "--shape", "X=N,C", "--shape", "X=N,C").status == 64)
    #expect(run("derive", "cross_entropy(X, t)", "--shape", "X=N,0").status == 64)
    let reduction = run("derive", "cross_entropy(X, t, reduction=\"average\")", "--shape", "X=N,C")
    #expect(reduction.status == 1 && reduction.err.contains("reduction must be"), "\(reduction.err)")
    #expect(run("derive", "--help").out.contains("--shape"))
  }
}
