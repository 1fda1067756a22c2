import Testing

@testable import EventServer

/// The websocket listener reads picture links without a router: every target, however odd, must
/// come out as a picture request, a 404 under /pictures, or a request for a websocket.
@Suite("Picture request targets")
struct PictureRequestTests {
    @Test("a picture link gives its event, frame, expiry and signature")
    func link() {
        #expect(
            PictureRequest.target(of: "/pictures/4321/snapshot?exp=1800000600&sig=ab01")
                == .picture(PictureRequest(eventId: "4321", frame: "snapshot", expiry: "1800000600", signature: "ab01")))
        #expect(
            PictureRequest.target(of: "/pictures/7/alarm")
                == .picture(PictureRequest(eventId: "7", frame: "alarm", expiry: nil, signature: nil)))
        // The first of a repeated name counts; other names are ignored; values are percent-decoded.
        #expect(
            PictureRequest.target(of: "/pictures/7/alarm?x=1&exp=%31%32&exp=99&sig=&sig=ff#frag")
                == .picture(PictureRequest(eventId: "7", frame: "alarm", expiry: "12", signature: "")))
    }

    @Test("paths under /pictures that are not a picture's are 404; every other path asks for a websocket")
    func otherPaths() {
        for target in ["/pictures", "/pictures/", "/pictures/1", "/pictures/1/", "/pictures//snapshot", "/pictures/1/2/3", "/pictures?exp=1"] {
            #expect(PictureRequest.target(of: target) == .notAPicture, "\(target)")
        }
        for target in ["/", "", "*", "/anything", "/picturesque/1/2", "//pictures/1/2", "pictures/1/2", "http://host/pictures/1/2", "/Pictures/1/2"] {
            #expect(PictureRequest.target(of: target) == .elsewhere, "\(target)")
        }
    }

    @Test("hostile targets never crash and are never anything but a request PictureService checks")
    func hostile() {
        let long = String(repeating: "9", count: 100_000)
        let cases = [
            "/pictures/\(long)/snapshot?exp=\(long)&sig=\(long)", "/pictures/%2e%2e/%2e%2e?exp=%ZZ&sig=%", "/pictures/../../etc?exp==&sig==",
            "/pictures/1/snapshot?&&&=&exp", "/pictures/\u{0}/\u{FFFD}?sig=\u{1F600}", "/pictures/-1/x?exp=-5", "?", "#", "/pictures/1/2?#?",
        ]
        for target in cases {
            switch PictureRequest.target(of: target) {
            case .picture(let request):
                #expect(!request.eventId.isEmpty && !request.frame.isEmpty && !request.frame.contains("/"))
            case .notAPicture, .elsewhere:
                break
            }
        }
        #expect(PictureRequest.target(of: "/pictures/1/snapshot?exp=%ZZ") == .picture(.init(eventId: "1", frame: "snapshot", expiry: "%ZZ")))
    }
}
