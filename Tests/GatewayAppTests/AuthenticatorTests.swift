@testable import GatewayApp
import Testing

@Suite("Bearer tokens read from the Authorization header")
struct AuthenticatorTests {
    @Test("the scheme in any case, then the token; anything else is malformed")
    func bearer() {
        #expect(Authenticator.bearerToken("Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(Authenticator.bearerToken("bearer abc") == "abc")
        #expect(Authenticator.bearerToken("BEARER abc") == "abc")
        for header in ["Bearer", "Bearer ", "Basic abc", "Bearerabc", "Bearer\tabc", "Bear abc", "", "xbearer abc"] {
            #expect(Authenticator.bearerToken(header) == nil, "\(header)")
        }
    }
}
