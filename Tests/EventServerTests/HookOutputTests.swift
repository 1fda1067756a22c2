import Model
import Testing

@testable import EventServer

/// What zmes reads from a hook's output, in the Perl server's shape, and the argv it builds.
@Suite("Hook output and arguments")
struct HookOutputTests {
    @Test("the text, the frame marker and the JSON are read; logged lines before the result are ignored")
    func parses() {
        #expect(
            HookOutput.detection(from: "[a] detected:person:91% car:80% --SPLIT--{\"labels\":[\"person\"]}\n")
                == Detection(text: "detected:person:91% car:80%", json: "{\"labels\":[\"person\"]}", frame: .alarm))
        #expect(HookOutput.detection(from: "[s] detected:dog:70%--SPLIT--[1,2]") == Detection(text: "detected:dog:70%", json: "[1,2]", frame: .snapshot))
        #expect(HookOutput.detection(from: "loading model\n[x] detected:cat\n") == Detection(text: "detected:cat", json: nil, frame: nil))
        #expect(HookOutput.detection(from: "Motion: All") == Detection(text: "Motion: All"))
        #expect(HookOutput.detection(from: "detected:car --SPLIT--{not json") == Detection(text: "detected:car", json: nil))
    }

    @Test("no text is no detection")
    func empty() {
        for output in ["", "\n\n", "[a] ", "[a] --SPLIT--{\"labels\":[]}", "   --SPLIT--{}"] {
            #expect(HookOutput.detection(from: output) == nil, "\(output)")
        }
    }

    @Test("placeholders are replaced inside arguments, once, and unknown ones stay")
    func arguments() {
        let alarm = Alarm(monitorId: 3, monitorName: "{path} $(id)", eventId: 77, cause: "Motion {eid}")
        let argv = HookCommand.arguments(["/bin/hook", "--eventid={eid}", "{mid}", "{name}", "{cause}", "{path}", "{other}", "{", "}{"], for: alarm, path: "/ev/77")
        #expect(argv == ["/bin/hook", "--eventid=77", "3", "{path} $(id)", "Motion {eid}", "/ev/77", "{other}", "{", "}{"])
    }
}
