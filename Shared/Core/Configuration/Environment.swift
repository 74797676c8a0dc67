import Foundation

/// A problem with the process configuration, reported at start with every offending variable named.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public init(problems: [String]) { self.problems = problems }
    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Reads environment variables with defaults, collecting every problem so one start-up error lists them all.
public struct EnvironmentReader: Sendable {
    private let values: [String: String]
    public private(set) var problems: [String] = []

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The raw value, or `nil` when unset or empty.
    public func raw(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func string(_ name: String, default fallback: String) -> String {
        raw(name) ?? fallback
    }

    public func optionalString(_ name: String) -> String? { raw(name) }

    public mutating func int(_ name: String, default fallback: Int, range: ClosedRange<Int>? = nil) -> Int {
        guard let text = raw(name) else { return fallback }
        guard let value = Int(text) else {
            problems.append("\(name)=\(text) is not an integer")
            return fallback
        }
        if let range, !range.contains(value) {
            problems.append("\(name)=\(value) must be in \(range.lowerBound)...\(range.upperBound)")
            return fallback
        }
        return value
    }

    public mutating func bool(_ name: String, default fallback: Bool) -> Bool {
        guard let text = raw(name)?.lowercased() else { return fallback }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problems.append("\(name)=\(text) is not a boolean (true/false)")
            return fallback
        }
    }

    public mutating func choice(_ name: String, default fallback: String, allowed: [String]) -> String {
        let value = raw(name)?.lowercased() ?? fallback
        guard allowed.contains(value) else {
            problems.append("\(name)=\(value) must be one of \(allowed.joined(separator: ", "))")
            return fallback
        }
        return value
    }

    public mutating func require(_ name: String, because reason: String) -> String {
        guard let value = raw(name) else {
            problems.append("\(name) is required (\(reason))")
            return ""
        }
        return value
    }

    public mutating func report(_ problem: String) { problems.append(problem) }

    /// Throws if anything read so far was invalid.
    public func validate() throws(ConfigurationError) {
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }
}
