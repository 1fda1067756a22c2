import Foundation
import Model
import PushDispatcher
import Testing

@Suite("Picture links")
struct PictureLinksTests {
    let links = PictureLinks(publicURL: "https://zm.example.com:9000/", lifetime: 600, defaultFrame: "snapshot", key: PictureLinks.makeKey())
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func parts(_ url: String) throws -> (event: Int, frame: String, expiry: Int, signature: String) {
        let components = try #require(URLComponents(string: url))
        let path = components.path.split(separator: "/")
        let query = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        return (Int(path[1])!, String(path[2]), Int(query["exp"]!)!, query["sig"]!)
    }

    @Test("a link is valid for its event and frame until it expires, and for nothing else")
    func validity() throws {
        let alarm = Alarm(monitorId: 1, monitorName: "Garage", eventId: 42, cause: "Motion")
        let url = links.url(for: alarm, now: now)
        #expect(url.hasPrefix("https://zm.example.com:9000/pictures/42/snapshot?exp=1800000600&sig="))
        let link = try parts(url)
        #expect(links.isValid(eventId: 42, frame: "snapshot", expiry: link.expiry, signature: link.signature, now: now))
        #expect(links.isValid(eventId: 42, frame: "snapshot", expiry: link.expiry, signature: link.signature, now: now.addingTimeInterval(600)))
        #expect(!links.isValid(eventId: 42, frame: "snapshot", expiry: link.expiry, signature: link.signature, now: now.addingTimeInterval(601)))
        #expect(!links.isValid(eventId: 43, frame: "snapshot", expiry: link.expiry, signature: link.signature, now: now))
        #expect(!links.isValid(eventId: 42, frame: "alarm", expiry: link.expiry, signature: link.signature, now: now))
        #expect(!links.isValid(eventId: 42, frame: "snapshot", expiry: link.expiry + 86_400, signature: link.signature, now: now))
        #expect(!links.isValid(eventId: 42, frame: "snapshot", expiry: link.expiry, signature: String(link.signature.dropLast()), now: now))
        let other = PictureLinks(publicURL: "https://zm.example.com:9000", lifetime: 600, defaultFrame: "snapshot", key: PictureLinks.makeKey())
        #expect(!other.isValid(eventId: 42, frame: "snapshot", expiry: link.expiry, signature: link.signature, now: now))
    }

    @Test("the frame: objdetect after a detection with JSON, else the hook's [a]/[s], else pictures.frame")
    func frameChoice() {
        var alarm = Alarm(monitorId: 1, monitorName: "Garage", eventId: 42, cause: "Motion")
        #expect(PictureLinks.frame(for: alarm, default: "alarm") == "alarm")
        alarm.detection = Detection(text: "detected:person:91%", json: #"{"labels":["person"]}"#, frame: .alarm)
        #expect(PictureLinks.frame(for: alarm, default: "snapshot") == "objdetect")
        alarm.detection = Detection(text: "detected:person:91%", frame: .alarm)
        #expect(PictureLinks.frame(for: alarm, default: "snapshot") == "alarm")
        alarm.detection = Detection(text: "detected:car", frame: nil)
        #expect(PictureLinks.frame(for: alarm, default: "snapshot") == "snapshot")
    }
}
