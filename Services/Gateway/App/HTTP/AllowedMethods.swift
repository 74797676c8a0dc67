import AvroKit
import HTTPTypes

/// The methods each served path answers, so that a request to a served path with another method gets
/// `405 method_not_allowed` and an `Allow` header (as the reference gateway answered), not the `404` Hummingbird's
/// router gives for both "no such path" and "no such method here".
///
/// Paths match as the router matches them: segment by segment, empty segments ignored (so a trailing slash does not
/// matter), a `{parameter}` segment taking any one segment. Where several templates match, the one with the most
/// literal segments wins, as the router's trie prefers literals.
struct AllowedMethods: Sendable {
    struct Match: Equatable {
        /// The template as the router renders it (metrics label requests with it).
        var template: String
        /// In registration order.
        var methods: [HTTPRequest.Method]

        /// The `Allow` header's value.
        var allowHeader: String { methods.map(\.rawValue).joined(separator: ", ") }
    }

    private struct Template {
        /// `nil` for a parameter.
        var segments: [Substring?]
        var match: Match

        var literalCount: Int { segments.count { $0 != nil } }
    }

    private let templates: [Template]

    init(_ endpoints: [Endpoint]) {
        var templates: [Template] = []
        for endpoint in endpoints {
            guard let method = HTTPRequest.Method(endpoint.method) else { continue }
            // The router answers HEAD wherever it answers GET (`autoGenerateHeadEndpoints`).
            let methods: [HTTPRequest.Method] = method == .get ? [.get, .head] : [method]
            if let index = templates.firstIndex(where: { $0.match.template == endpoint.path }) {
                for method in methods where !templates[index].match.methods.contains(method) {
                    templates[index].match.methods.append(method)
                }
                continue
            }
            let segments = endpoint.path.split(separator: "/").map { segment -> Substring? in
                segment.first == "{" && segment.last == "}" ? nil : segment
            }
            templates.append(Template(segments: segments, match: Match(template: endpoint.path, methods: methods)))
        }
        self.templates = templates
    }

    /// The served template `path` falls under, with the methods it answers; `nil` when no served path matches.
    func match(_ path: String) -> Match? {
        let segments = path.split(separator: "/")
        var best: Template?
        for template in templates where template.segments.count == segments.count {
            let matches = zip(template.segments, segments).allSatisfy { pattern, segment in
                pattern.map { $0 == segment } ?? true
            }
            if matches, template.literalCount > best?.literalCount ?? -1 { best = template }
        }
        return best?.match
    }
}

extension APIError {
    static func methodNotAllowed(_ method: HTTPRequest.Method, _ allowed: AllowedMethods.Match) -> APIError {
        APIError(
            .methodNotAllowed, code: EdgeMiddleware.code(for: .methodNotAllowed),
            message: "\(method.rawValue) is not allowed on \(allowed.template); use \(allowed.allowHeader)",
            details: ["allowed": .array(allowed.methods.map { .string($0.rawValue) })],
            headers: [.allow: allowed.allowHeader])
    }
}
