import EventServer
import Foundation
import Model
import Testing
import ZmesTestSupport

@Suite("Migration from zmeventnotification")
struct MigrationTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/zmeventnotification").path

    func copyFixtures() throws -> String {
        let directory = Zmes.makeDirectory()
        for name in ["zmeventnotification.ini", "secrets.ini", "tokens.json.txt", "tokens.colon.txt", "es_rules.json"] {
            try FileManager.default.copyItem(atPath: Self.fixtures + "/" + name, toPath: directory + "/" + name)
        }
        return directory
    }

    @Test("migrate writes an equivalent zmes.yml, registers the proxy key, imports JSON tokens, and lists what it left")
    func migrate() throws {
        let directory = try copyFixtures()
        // [mqtt] tls_ca names it; migrate carries over only the files it can read.
        try "CA".write(toFile: directory + "/mqtt-ca.crt", atomically: true, encoding: .utf8)
        let result = try Zmes.run(
            ["migrate", "--ini", "zmeventnotification.ini", "--secrets", "secrets.ini", "--tokens", "tokens.json.txt"], in: directory)
        #expect(result.status == 0, "\(result.errors)")
        let yaml = try String(contentsOfFile: directory + "/zmes.yml", encoding: .utf8)
        #expect(yaml.contains("port: 9443"))
        #expect(yaml.contains("cert: \"/etc/apache2/ssl/zoneminder.crt\""))
        #expect(yaml.contains("timeout: 15"))
        #expect(yaml.contains("backend: zoneminder"))
        #expect(yaml.contains("send_event_end: true"))
        #expect(yaml.contains("url: \"https://cams.example.com/zm\""))
        // Pictures point at zmes now, with no password; the text reads as the Perl server's did.
        #expect(yaml.contains("pictures:\n  enabled: true\n  public_url: \"https://cams.example.com:9443\"\n  frame: \"snapshot\""))
        #expect(yaml.contains("date_format: \"%I:%M %p, %d-%b\""))
        #expect(yaml.contains("title: \"{name} Alarm\""))
        #expect(yaml.contains("tag_event_id: false"))
        #expect(result.output.contains("pictures.public_url: proposed as https://cams.example.com:9443"))
        // [mqtt] is one broker, as the Perl server used it: TLS because tls_ca is set, no discovery, MQTT 3.1.1.
        #expect(yaml.contains("""
            mqtt:
              - name: "perl"
                url: "mqtts://broker.example.com:8883"
                topic: "zm"
                username: "zmes"
                password: "mqtt-secret-password"
                ca_file: "mqtt-ca.crt"
                retain: true
                discovery: false
                version: "3.1.1"
            """))
        // The written file is a valid configuration (check-config reads the CA file it names).
        let check = try Zmes.run(["check-config"], in: directory)
        #expect(check.status == 0, "\(check.output)")
        #expect(!check.output.contains("zm-secret-password"))
        #expect(!check.output.contains("mqtt-secret-password") && check.output.contains("url: \"mqtts://broker.example.com:8883\""))

        let credentials = try Zmes.json(["credentials", "list", "--json"], in: directory)
        #expect(credentials.first?["provider"] as? String == "proxy")
        #expect(credentials.first?["name"] as? String == "zmninja")
        #expect(!result.output.contains("zmninja-fcm-v1-key-0123456789"))

        let devices = try Zmes.json(["token", "list", "--json"], in: directory)
        #expect(devices.count == 2)
        let ios = try #require(devices.first { $0["platform"] as? String == "ios" })
        #expect(ios["monlist"] as? String == "1,2")
        #expect(ios["intlist"] as? String == "0,60")
        #expect(ios["badge"] as? Int == 4)
        #expect(ios["user"] as? String == "admin")
        #expect(ios["provider"] as? String == "proxy")
        let android = try #require(devices.first { $0["platform"] as? String == "android" })
        #expect(android["state"] as? String == "disabled")
        #expect(android["monlist"] as? String == "")

        for setting in ["general.skip_monitors", "customize.event_check_interval", "mqtt.tls_insecure", "mqtt.tick_interval"] {
            #expect(result.output.contains(setting), "\(setting) not reported")
        }
        // Never overwrites a configuration.
        let again = try Zmes.run(["migrate", "--ini", "zmeventnotification.ini"], in: directory)
        #expect(again.status != 0)
        #expect(again.errors.contains("already exists"))
    }

    @Test("token import reads the old colon format")
    func colonTokens() throws {
        let directory = try copyFixtures()
        #expect(try Zmes.run(["user", "add", "bob", "--password-stdin"], in: directory, input: "pw-Bob-0001\n").status == 0)
        let result = try Zmes.run(["token", "import", "tokens.colon.txt", "--user", "bob"], in: directory)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("imported 2 devices"))
        let devices = try Zmes.json(["token", "list", "--json"], in: directory)
        let ios = try #require(devices.first { $0["platform"] as? String == "ios" })
        #expect(ios["intlist"] as? String == "0,0,30")
        #expect(ios["user"] as? String == "bob")
        try "not:a valid line\n".write(toFile: directory + "/bad.txt", atomically: true, encoding: .utf8)
        let bad = try Zmes.run(["token", "import", "bad.txt"], in: directory)
        #expect(bad.status != 0)
        #expect(bad.errors.contains("line 1"))
    }

    @Test("token import to a user that does not exist is refused, exits non-zero and imports nothing")
    func unknownOwner() throws {
        let directory = try copyFixtures()
        let refused = try Zmes.run(["token", "import", "tokens.json.txt", "--user", "nobody"], in: directory)
        print("token import --user nobody: status \(refused.status), stdout \(refused.output.debugDescription), stderr \(refused.errors.debugDescription)")
        #expect(refused.status != 0)
        #expect(refused.errors.contains("no user 'nobody'"))
        #expect(!refused.output.contains("imported"))
        #expect(try Zmes.json(["token", "list", "--json"], in: directory).isEmpty)
        // The default owner, admin, does not exist yet either (zmes serve creates it at its first start).
        let byDefault = try Zmes.run(["token", "import", "tokens.json.txt"], in: directory)
        #expect(byDefault.status != 0)
        #expect(byDefault.errors.contains("no user 'admin'"))
        #expect(try Zmes.json(["token", "list", "--json"], in: directory).isEmpty)

        #expect(try Zmes.run(["user", "add", "carol", "--password-stdin"], in: directory, input: "pw-Carol-0001\n").status == 0)
        let accepted = try Zmes.run(["token", "import", "tokens.json.txt", "--user", "carol"], in: directory)
        #expect(accepted.status == 0, "\(accepted.errors)")
        #expect(accepted.output.contains("imported 2 devices (owner: carol)"))
        #expect(try Zmes.json(["token", "list", "--json"], in: directory).allSatisfy { $0["user"] as? String == "carol" })
    }

    @Test("migrate --rules turns es_rules.json into rules: that mute and make critical as the Perl server did")
    func migrateRules() throws {
        let directory = try copyFixtures()
        let result = try Zmes.run(["migrate", "--ini", "zmeventnotification.ini", "--rules", "es_rules.json"], in: directory)
        #expect(result.status == 0, "\(result.errors)")
        let rules = try ConfigurationLoader(environment: [:]).load(path: directory + "/zmes.yml").rules
        #expect(rules.count == 3)
        func action(_ monitor: Int, _ cause: String, _ time: LocalTime) -> MonitorRule.Action? {
            MonitorRule.action(for: Alarm(monitorId: monitor, monitorName: "", eventId: 1, cause: cause), at: time, in: rules)
        }
        #expect(action(7, "detected:person:90%", LocalTime(.fri, 23, 0)) == .mute)
        #expect(action(7, "detected:person:90%", LocalTime(.fri, 22, 0)) == nil)  // before 10:15 pm
        #expect(action(7, "detected:person:90%", LocalTime(.mon, 23, 0)) == nil)  // not a listed day
        #expect(action(7, "Motion", LocalTime(.mon, 5, 0)) == .mute)  // neither cat nor fox
        #expect(action(7, "detected:fox", LocalTime(.mon, 5, 0)) == nil)
        #expect(action(12, "detected:car:80%", LocalTime(.wed, 12, 0)) == .critical)

        try "{\"notifications\":{\"monitors\":{\"1\":{\"rules\":[{\"from\":\"25 pm\",\"to\":\"1 am\",\"action\":\"mute\"}]}}}}"
            .write(toFile: directory + "/bad_rules.json", atomically: true, encoding: .utf8)
        let refused = try Zmes.run(["migrate", "--ini", "zmeventnotification.ini", "--rules", "bad_rules.json", "--output", "other.yml"], in: directory)
        #expect(refused.status != 0)
        #expect(refused.errors.contains("monitor 1, rule 1: '25 pm' is not a time"), "\(refused.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/other.yml"))
    }
}
