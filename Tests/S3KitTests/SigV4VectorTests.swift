import Foundation
import S3Kit
import Testing

/// AWS's published Signature V4 vectors: the generic test suite (service `service`, 2015-08-30T12:36:00Z) and the
/// S3 documentation's worked examples (2013-05-24, `examplebucket`).
@Suite("SigV4: AWS published vectors")
struct SigV4VectorTests {
    static let suiteSigner = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z
    static let s3Signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z

    static func suite(_ method: String, _ path: String, _ query: [(String, String)] = []) -> SigV4Signer.Signature {
        suiteSigner.sign(
            .init(
                method: method, path: path, query: query,
                headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
                payloadHash: SigV4Signer.emptyPayloadHash),
            at: suiteDate)
    }

    @Test("get-vanilla: canonical request, string to sign and Authorization")
    func getVanilla() {
        let signed = Self.suite("GET", "/")
        #expect(signed.canonicalRequest == """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
            """)
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test("get-vanilla-query-order-key-case, post-vanilla, get-utf8")
    func suiteVariants() {
        #expect(Self.suite("GET", "/", [("Param2", "value2"), ("Param1", "value1")]).signature
            == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
        #expect(Self.suite("POST", "/").signature == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
        #expect(Self.suite("GET", "/\u{1234}").signature == "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")
    }

    @Test("S3 GET Object with Range, signed in the Authorization header")
    func s3GetObject() {
        let signed = Self.s3Signer.sign(
            .init(
                method: "GET", path: "/test.txt",
                headers: [
                    ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                    ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", "20130524T000000Z"),
                ],
                payloadHash: SigV4Signer.emptyPayloadHash),
            at: Self.s3Date)
        #expect(signed.signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("S3 presigned GET URL, virtual-host style")
    func s3Presigned() {
        let client = S3Configuration(
            endpoint: "https://s3.amazonaws.com", region: "us-east-1", bucket: "examplebucket",
            credentials: Self.s3Signer.credentials, pathStyle: false)
        let url = S3Presigner(configuration: client).url(method: "GET", key: "test.txt", expires: 86_400, at: Self.s3Date)
        #expect(url == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
            + "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test("path-style addressing keeps the endpoint's port and encodes the key once")
    func pathStyle() {
        let configuration = S3Configuration(
            endpoint: "http://127.0.0.1:19000", region: "eu-west-1", bucket: "media-uploads",
            credentials: Self.s3Signer.credentials)
        let url = S3Presigner(configuration: configuration).url(
            method: "PUT", key: "uploads/u1/r1/my file+1.png", expires: 900, contentType: "image/png", at: Self.s3Date)
        #expect(url.hasPrefix("http://127.0.0.1:19000/media-uploads/uploads/u1/r1/my%20file%2B1.png?X-Amz-Algorithm="))
        #expect(url.contains("X-Amz-SignedHeaders=content-type%3Bhost"))
        #expect(url.contains("%2Feu-west-1%2Fs3%2Faws4_request"))
    }
}
