import ArgumentParser
import Foundation
import JWTAuth

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mint a development JWT (HS256 with JWT_SECRET), shaped like Supabase's.")

    @Option(help: "The user id (`sub`).")
    var user: String = UUID().uuidString.lowercased()

    @Option(help: "The email claim.")
    var email: String?

    @Option(help: "Lifetime in seconds.")
    var ttl: Int = 3600

    func run() async throws {
        guard let secret = ProcessInfo.processInfo.environment["JWT_SECRET"], !secret.isEmpty else {
            throw ValidationError("JWT_SECRET is not set (eval \"$(scripts/stack env)\" first)")
        }
        let token = try await DevelopmentTokenMinter.mint(
            userID: user, email: email ?? "\(user)@example.com", secret: secret, expiresIn: .seconds(ttl),
            issuer: ProcessInfo.processInfo.environment["JWT_ISSUER"])
        print(token)
    }
}
