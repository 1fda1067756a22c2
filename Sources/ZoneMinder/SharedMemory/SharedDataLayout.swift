/// What a monitor is doing, as `zmc` writes it in `SharedData.state`.
///
/// Decoded per layout (see ``SharedDataLayout/state(fromRaw:)``); a number the layout does not
/// define is kept as ``unrecognised(_:)`` rather than guessed.
public enum MonitorState: Sendable, Equatable, CustomStringConvertible {
    case unknown
    case idle
    case prealarm
    case alarm
    case alert
    case tape
    case unrecognised(UInt32)

    /// An event is being recorded because of an alarm (`ALARM` or `ALERT`).
    public var isAlarmed: Bool { self == .alarm || self == .alert }

    /// Back at rest (`IDLE`, or `TAPE` in 1.36): an alarm event has closed.
    public var isQuiet: Bool { self == .idle || self == .tape }

    public var description: String {
        switch self {
        case .unknown: return "Unknown"
        case .idle: return "Idle"
        case .prealarm: return "PreAlarm"
        case .alarm: return "Alarm"
        case .alert: return "Alert"
        case .tape: return "Tape"
        case .unrecognised(let raw): return "state \(raw)"
        }
    }
}

/// Where the fields zmes reads live in a monitor's mapped file (`zm.mmap.<id>`), for each
/// ZoneMinder release whose layout is known. The layout is recognised by the `SharedData.size`
/// field (u32 at offset 0); any other size is refused (``layout(forSize:)`` returns nil), never
/// guessed.
///
/// ## ZoneMinder 1.36 (`size` = 760)
/// Checked against a running 1.36.33 `zmc` (what the states mean for alarms: docs/ZONEMINDER-ALARMS.md):
/// state u32 @12 (0 Unknown, 1 Idle, 2 PreAlarm, 3 Alarm, 4 Alert, 5 Tape), last_event_id u64 @32,
/// valid u8 @68, alarm_cause char[256] @376; TriggerData @760: trigger_state u32 @764,
/// trigger_cause char[32] @776.
///
/// ## ZoneMinder 1.37/1.38 (`size` = 872)
/// Derived from `Monitor::SharedData` in ZoneMinder's `src/zm_monitor.h` (repository
/// ZoneMinder/zoneminder, the version readable from the code index: commit
/// 00982981318f3c130dbf508262fb10b3894e0871, a 1.37-series snapshot), whose struct is:
/// `uint32 size; int32 last_write_index, last_read_index, image_count; uint32 state;
/// double capture_fps, analysis_fps, latitude, longitude; uint64 last_event_id; uint32 action;
/// int32 brightness, hue, colour, contrast, alarm_x, alarm_y; uint8 valid, capturing, analysing,
/// recording, signal, format, reserved1, reserved2; uint32 imagesize, last_frame_score,
/// audio_frequency, audio_channels; union{time_t; uint64} startup_time, heartbeat_time,
/// last_write_time, last_read_time, last_viewed_time; uint8 control_state[256];
/// char alarm_cause[256], video_fifo_path[64], audio_fifo_path[64], janus_pin[64];`
/// That snapshot sums to 864 bytes. The released 1.38 struct (872) has one more 8-byte time,
/// `last_analysis_viewed_time`, right after `last_viewed_time`; that member was not in the
/// header version available here and is taken from ZoneMinder/pyzm `pyzm/zm/shm.py` (commit
/// 600768f6c360cc0649b624116e961d0d7126ee20, `_LAYOUT_872`, the 1.38 reader of ZoneMinder's own
/// Python library). It shifts every field after it by 8: only `alarm_cause` among the fields read
/// here. The `/* +NN */` comments in the
/// header are stale; computed with natural alignment on x86_64 (f64/u64/time_t aligned to 8):
///
/// | offset | field |
/// |---|---|
/// | 0 | u32 size (872) |
/// | 4, 8, 12 | i32 last_write_index, last_read_index, image_count |
/// | 16 | u32 state: 0 UNKNOWN, 1 IDLE, 2 PREALARM, 3 ALARM, 4 ALERT |
/// | 20 | 4 bytes padding |
/// | 24, 32, 40, 48 | f64 capture_fps, analysis_fps, latitude, longitude |
/// | 56 | u64 last_event_id |
/// | 64 | u32 action |
/// | 68 ... 88 | i32 brightness, hue, colour, contrast, alarm_x, alarm_y |
/// | 92 | u8 valid (then capturing 93, analysing 94, recording 95, signal 96, format 97, reserved 98-99) |
/// | 100 ... 112 | u32 imagesize, last_frame_score, audio_frequency, audio_channels |
/// | 116 | 4 bytes padding |
/// | 120 ... 160 | i64 startup_time, heartbeat_time, last_write_time, last_read_time, last_viewed_time, last_analysis_viewed_time |
/// | 168 | u8 control_state[256] |
/// | 424 | char alarm_cause[256] |
/// | 680, 744, 808 | char video_fifo_path[64], audio_fifo_path[64], janus_pin[64] |
/// | 872 | TriggerData: u32 size @872, u32 trigger_state @876, u32 trigger_score @880, u32 padding @884, char trigger_cause[32] @888, char trigger_text[256] @920 |
public struct SharedDataLayout: Sendable, Equatable, CustomStringConvertible {
    /// Human name of the release family, for logs.
    public let name: String
    /// The value of `SharedData.size` that identifies this layout.
    public let sharedDataSize: UInt32
    public let stateOffset: Int
    public let lastEventIdOffset: Int
    public let validOffset: Int
    public let alarmCauseOffset: Int
    public let alarmCauseLength: Int
    public let triggerDataOffset: Int
    public let triggerStateOffset: Int
    public let triggerCauseOffset: Int
    public let triggerCauseLength: Int
    /// `states[raw]` is the decoded state; beyond it, ``MonitorState/unrecognised(_:)``.
    private let states: [MonitorState]

    /// The bytes zmes maps and needs the file to hold: up to the end of `trigger_cause`.
    public var headerLength: Int { triggerCauseOffset + triggerCauseLength }

    public var description: String { "\(name) (SharedData size \(sharedDataSize))" }

    public func state(fromRaw raw: UInt32) -> MonitorState {
        raw < states.count ? states[Int(raw)] : .unrecognised(raw)
    }

    /// ZoneMinder 1.36.x (verified against 1.36.33).
    public static let zoneMinder136 = SharedDataLayout(
        name: "ZoneMinder 1.36",
        sharedDataSize: 760,
        stateOffset: 12,
        lastEventIdOffset: 32,
        validOffset: 68,
        alarmCauseOffset: 376,
        alarmCauseLength: 256,
        triggerDataOffset: 760,
        triggerStateOffset: 764,
        triggerCauseOffset: 776,
        triggerCauseLength: 32,
        states: [.unknown, .idle, .prealarm, .alarm, .alert, .tape]
    )

    /// ZoneMinder 1.37/1.38 (offsets derived above).
    public static let zoneMinder138 = SharedDataLayout(
        name: "ZoneMinder 1.38",
        sharedDataSize: 872,
        stateOffset: 16,
        lastEventIdOffset: 56,
        validOffset: 92,
        alarmCauseOffset: 424,
        alarmCauseLength: 256,
        triggerDataOffset: 872,
        triggerStateOffset: 876,
        triggerCauseOffset: 888,
        triggerCauseLength: 32,
        states: [.unknown, .idle, .prealarm, .alarm, .alert]
    )

    public static let known: [SharedDataLayout] = [.zoneMinder136, .zoneMinder138]

    /// The layout whose `SharedData.size` is `size`, or nil: an unknown layout is never guessed.
    public static func layout(forSize size: UInt32) -> SharedDataLayout? {
        switch size {
        case zoneMinder136.sharedDataSize: return zoneMinder136
        case zoneMinder138.sharedDataSize: return zoneMinder138
        default: return nil
        }
    }
}
