import Foundation

/// Number of active processor cores.
func sysconfNumberOfCores() -> Int { ProcessInfo.processInfo.activeProcessorCount }
