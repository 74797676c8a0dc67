import Foundation
import Yams

/// Parses routes.yaml. Two forms per route, mixable:
///
/// ```yaml
/// externalRoutes:
///   message: public.user.message.events          # simple: key → topic (default identity bindings)
///   click:                                        # detailed
///     topic: public.user.click.events
///     bind: { user_id: sub }                      # body field ← token claim
///     key: user_id                                # body field used as the Kafka key
///     rateLimit: { limit: 100, windowSeconds: 60 }
///     maxBodyBytes: 65536
/// webhookRoutes:
///   login: public.identity.login.events
/// ```
/// A missing section means no routes of that kind. Anything malformed is an error naming the place.
public enum RoutesFile {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func load(path: String) throws -> RouteTable {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ParseError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(text)
    }

    public static func parse(_ text: String) throws -> RouteTable {
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw ParseError(description: "not valid YAML: \(error)")
        }
        guard let top = document as? [String: Any] else {
            throw ParseError(description: "the document must be a mapping with webhookRoutes and/or externalRoutes")
        }
        let known: Set = ["webhookRoutes", "externalRoutes"]
        if let unknown = top.keys.first(where: { !known.contains($0) }) {
            throw ParseError(description: "unknown top-level key \(unknown)")
        }
        return RouteTable(
            external: try section(top["externalRoutes"], name: "externalRoutes", defaultBindings: RouteDefinition.defaultExternalBindings),
            webhook: try section(top["webhookRoutes"], name: "webhookRoutes", defaultBindings: [:]))
    }

    private static func section(_ value: Any?, name: String, defaultBindings: [String: String]) throws
        -> [String: RouteDefinition]
    {
        guard let value, !(value is NSNull) else { return [:] }
        guard let map = value as? [String: Any] else { throw ParseError(description: "\(name) must be a mapping") }
        var routes: [String: RouteDefinition] = [:]
        for (rawKey, spec) in map {
            let key = rawKey.lowercased()
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                throw ParseError(description: "\(name).\(rawKey): route keys are letters, digits, - _ .")
            }
            if routes[key] != nil { throw ParseError(description: "\(name).\(rawKey) is listed twice (keys are case-insensitive)") }
            routes[key] = try route(key: key, spec: spec, place: "\(name).\(rawKey)", defaultBindings: defaultBindings)
        }
        return routes
    }

    private static func route(key: String, spec: Any, place: String, defaultBindings: [String: String]) throws
        -> RouteDefinition
    {
        if let topic = spec as? String {
            return RouteDefinition(key: key, topic: try validTopic(topic, place), bindings: defaultBindings)
        }
        guard let map = spec as? [String: Any] else {
            throw ParseError(description: "\(place) must be a topic name or a mapping with topic")
        }
        let allowed: Set = ["topic", "bind", "key", "rateLimit", "maxBodyBytes"]
        if let unknown = map.keys.first(where: { !allowed.contains($0) }) {
            throw ParseError(description: "\(place).\(unknown) is not a route setting")
        }
        guard let topic = map["topic"] as? String else { throw ParseError(description: "\(place).topic is required") }
        var bindings = defaultBindings
        if let bind = map["bind"] {
            guard let bindMap = bind as? [String: Any] else { throw ParseError(description: "\(place).bind must be a mapping") }
            bindings = [:]
            for (field, claim) in bindMap {
                guard let claim = claim as? String, ["sub", "email", "role"].contains(claim) else {
                    throw ParseError(description: "\(place).bind.\(field) must be one of sub, email, role")
                }
                bindings[field] = claim
            }
        }
        var route = RouteDefinition(key: key, topic: try validTopic(topic, place), bindings: bindings)
        if let keyField = map["key"] {
            guard let keyField = keyField as? String, !keyField.isEmpty else {
                throw ParseError(description: "\(place).key must be a field name")
            }
            route.keyField = keyField
        }
        if let limit = map["rateLimit"] {
            guard let limitMap = limit as? [String: Any], let count = limitMap["limit"] as? Int, count >= 0 else {
                throw ParseError(description: "\(place).rateLimit needs limit (and optional windowSeconds)")
            }
            route.rateLimit = count
            if let window = limitMap["windowSeconds"] {
                guard let seconds = window as? Int, seconds > 0 else {
                    throw ParseError(description: "\(place).rateLimit.windowSeconds must be a positive integer")
                }
                route.rateWindowSeconds = seconds
            }
        }
        if let maxBody = map["maxBodyBytes"] {
            guard let bytes = maxBody as? Int, bytes > 0 else {
                throw ParseError(description: "\(place).maxBodyBytes must be a positive integer")
            }
            route.maxBodyBytes = bytes
        }
        return route
    }

    private static func validTopic(_ topic: String, _ place: String) throws -> String {
        guard !topic.isEmpty, topic.count <= 249,
            topic.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") })
        else { throw ParseError(description: "\(place): \"\(topic)\" is not a valid topic name") }
        return topic
    }
}
