import Testing

@testable import SymGrad

/// ASCII text is lexed byte by byte (a fast path); every other text character by
/// character. The two must give the same tokens and the same errors at the same columns.
@Suite struct LexerTests {
  func both(_ text: String) -> (String, String) {
    func describe(_ r: Result<[Token], Error>) -> String {
      switch r {
      case .success(let tokens): return tokens.map { "\($0.kind)@\($0.column)" }.joined(separator: " ")
      case .failure(let error): return "error: \(error)"
      }
    }
    let chars = Result { try Lexer.tokens(of: Array(text)) }
    let bytes = Result { try Lexer.tokens(of: Array(text.utf8)) }
    return (describe(chars), describe(bytes))
  }

  /// Every ASCII character (but the carriage return, which joins "\r\n" into one
  /// character and so sends text to the character path), alone and between names and
  /// numbers.
  @Test func everyASCIICharacterLexesAlikeOnBothPaths() {
    for code in UInt8(0)..<0x80 where code != 0x0D {
      let c = String(UnicodeScalar(code))
      for text in [c, "a\(c)b", "1\(c)2", "x1\(c)", "2.5e\(c)3", "'\(c)'"] {
        let (chars, bytes) = both(text)
        #expect(chars == bytes, "\(text.debugDescription): \(chars) vs \(bytes)")
      }
    }
  }

  @Test func wholeExpressionsLexAlike() throws {
    for text in [
      "softmax([x0, 1.5e-3, .5], dim=-1)[0] ** 2", "cross_entropy([[a, b]], [1], reduction='sum')",
      "x +\n* 2", "1e", "3x", "\"unterminated", "a_b1 ^ -c / (d)", "x\t\u{0B}\u{0C} y",
    ] {
      let (chars, bytes) = both(text)
      #expect(chars == bytes, "\(text.debugDescription)")
    }
    // Non-ASCII text takes the character path: columns count characters.
    #expect(try Lexer.tokens("é + 1").map(\.column) == [1, 3, 5, 6])
  }
}
