import Foundation

/// Event timestamps: RFC 3339 in UTC with whole seconds, as the reference's events carry them.
public enum Timestamps {
    public static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
            .replacingOccurrences(of: "+0000", with: "Z")
    }
}
