import Foundation
import Testing
import ZmesTestSupport

/// `zmes migrate` carries the Perl server's `[hook]` section over as `hooks:` (docs/HOOKS.md).
@Suite("Migration of detection hooks")
struct HookMigrationTests {
    @Test("zmes migrate carries [hook] over as hooks:, runs the same argv without a shell, and says what it left")
    func migrateHooks() throws {
        let directory = Zmes.makeDirectory()
        try """
            [general]
            base_data_path=/var/lib/zmeventnotification
            [customize]
            use_hooks = yes
            [hook]
            event_start_hook = {{base_data_path}}/bin/zm_event_start.sh
            event_end_hook = {{base_data_path}}/bin/zm_event_end.sh
            event_start_notify_on_hook_success = all
            event_start_notify_on_hook_fail = none
            event_end_notify_on_hook_success = fcm,web,api
            event_end_notify_on_hook_fail = none
            event_end_notify_if_start_success = yes
            use_hook_description = yes
            hook_skip_monitors = 2, 7
            max_parallel_hooks = 3
            hook_pass_image_path = yes
            keep_frame_match_type = yes

            """.write(toFile: directory + "/zmeventnotification.ini", atomically: true, encoding: .utf8)
        let result = try Zmes.run(["migrate", "--ini", "zmeventnotification.ini"], in: directory)
        #expect(result.status == 0, "\(result.errors)")
        let yaml = try String(contentsOfFile: directory + "/zmes.yml", encoding: .utf8)
        let start = #"event_start: ["/var/lib/zmeventnotification/bin/zm_event_start.sh", "{eid}", "{mid}", "{name}", "{cause}", "{path}"]"#
        #expect(yaml.contains(start), "\(yaml)")
        #expect(yaml.contains("event_end: [\"/var/lib/zmeventnotification/bin/zm_event_end.sh\""))
        #expect(yaml.contains("start_notify_on_success: [websocket, push, mqtt]"))
        #expect(yaml.contains("start_notify_on_fail: []"))
        #expect(yaml.contains("end_notify_on_success: [push, websocket]"))
        #expect(yaml.contains("end_notify_if_start_success: true"))
        #expect(yaml.contains("use_description: true"))
        #expect(yaml.contains("skip_monitors: [2, 7]"))
        #expect(yaml.contains("max_parallel: 3"))
        #expect(result.output.contains("event_end_notify_on_hook_success=fcm,web,api: api not carried over"), "\(result.output)")
        #expect(result.output.contains("hook.keep_frame_match_type"))
        let check = try Zmes.run(["check-config"], in: directory)
        #expect(check.status == 0, "\(check.output) \(check.errors)")
        #expect(check.output.contains("zm_event_start.sh"))
    }
}
