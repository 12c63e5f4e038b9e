// `import SymGradTesting` is all a test needs: the checks take and return SymGrad's types
// (`Expr`, `CertifiedValue`), so the library comes with it.
@_exported import SymGrad
