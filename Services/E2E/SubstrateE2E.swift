import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `substrate-e2e`: the user journeys against a running platform (`scripts/e2e` starts one and runs this).
/// Reads `GATEWAY_URL`, `JWT_SECRET` and `WEBHOOK_SECRET` as `scripts/stack env` prints them; exits non-zero when
/// any journey fails.
@main
struct SubstrateE2E: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "substrate-e2e", abstract: "Run the end-to-end user journeys against a running platform.")

    @Option(help: "Seconds one result may take to appear on a user's stream.")
    var stepTimeout: Int = 60

    @Option(help: "Seconds an abandoned upload may take to expire (the platform's UPLOAD_TTL_SECONDS plus slack).")
    var expiryTimeout: Int = 90

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func required(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else {
                throw ValidationError("\(name) is not set (eval \"$(scripts/stack env)\" first)")
            }
            return value
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let gateway = GatewayClient(
            baseURL: try required("GATEWAY_URL"), webhookSecret: try required("WEBHOOK_SECRET"), http: http)
        let secret = try required("JWT_SECRET")
        let log = JourneyLog(total: 9)
        let journeys = Journeys(
            gateway: gateway, log: log, stepTimeout: .seconds(stepTimeout), expiryTimeout: .seconds(expiryTimeout))
        var users: [E2EUser] = []
        do {
            try await waitUntilReady(gateway)
            func signIn(_ label: String) async throws -> E2EUser {
                let user = try await E2EUser.signIn(label, gateway: gateway, secret: secret)
                users.append(user)
                return user
            }
            // Like the reference's warmup.mjs: the first event after a deployment also waits for every consumer to
            // join its group; a canary takes that wait so the journeys' latencies are the pipeline's own.
            print("▶ warm-up: a canary's signup travels the whole pipeline")
            let canary = try await signIn("canary")
            try await journeys.signup(canary)
            print("")
            let ana = try await signIn("ana")
            let ben = try await signIn("ben")
            let cal = try await signIn("cal")
            let dee = try await signIn("dee")

            let signedUp = await log.journey("signup webhook → identity.signup and 2 credits") { try await journeys.signup(ana) }
            await log.journey("login and signout webhooks → identity.login, identity.signout") { try await journeys.loginAndSignout(ana) }
            await log.journey("a broadcast reaches everyone; a direct message only its recipient") {
                try await journeys.messages(sender: ana, recipient: ben, bystander: cal)
            }
            var uploaded: Journeys.UploadedFile?
            await log.journey("upload: intent → upload_ready → PUT → upload_completed → listed → identical download", requires: signedUp) {
                uploaded = try await journeys.upload(ana)
            }
            await log.journey("another user's download is rejected", requires: uploaded != nil) {
                try await journeys.foreignDownload(ben, of: uploaded!)
            }
            await log.journey("delete → file_deleted → download rejected", requires: uploaded != nil) {
                try await journeys.delete(ana, uploaded!)
            }
            await log.journey("no credits → upload_rejected") { try await journeys.noCredits(dee) }
            await log.journey("abandoned upload → upload_expired and the credit back", requires: signedUp) {
                try await journeys.abandonedUpload(ana)
            }
        } catch {
            print("✘ could not start the journeys: \(error)")
            for user in users { user.close() }
            try? await http.shutdown()
            throw ExitCode(2)
        }
        await log.journey("no stream delivered a notification twice") {
            for user in users {
                let duplicates = await user.inbox.duplicates
                try expect(duplicates.isEmpty, "\(user.email) received notifications \(duplicates) twice")
            }
        }
        for user in users { user.close() }
        try? await http.shutdown()
        log.summary()
        if !log.failed.isEmpty || !log.skipped.isEmpty { throw ExitCode(1) }
    }

    private func waitUntilReady(_ gateway: GatewayClient) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            if let reply = try? await gateway.get("/health/ready", token: ""), reply.status == 200 { return }
            guard ContinuousClock.now < deadline else { throw E2EFailure("the gateway at \(gateway.baseURL) is not ready") }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
