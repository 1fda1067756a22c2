import Foundation
import Storage

/// Pictures fetched from ZoneMinder, kept on disk for as long as their links are valid
/// (`pictures.ttl`) and within `pictures.cache_mb`: the oldest go first. A phone that opens a
/// notification twice, or ten phones that get the same alarm, cost ZoneMinder one request.
actor PictureCache {
    private let directory: URL
    private let lifetime: TimeInterval
    private let capacity: Int
    private var entries: [String: Entry] = [:]
    private var total = 0
    /// Fetches under way, by picture: ten phones opening one alarm at once wait for one fetch.
    private var fetching: [String: Task<[UInt8], any Error>] = [:]

    private struct Entry {
        var size: Int
        var storedAt: Date
    }

    /// Reads what an earlier run left in `directory` (made private to zmes if missing).
    init(directory: String, lifetime: TimeInterval, capacityBytes: Int) throws {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true)
        self.lifetime = lifetime
        self.capacity = capacityBytes
        try PrivateFiles.createDirectory(directory)
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
        for file in (try? FileManager.default.contentsOfDirectory(at: self.directory, includingPropertiesForKeys: keys)) ?? [] {
            let values = try? file.resourceValues(forKeys: Set(keys))
            entries[file.lastPathComponent] = Entry(size: values?.fileSize ?? 0, storedAt: values?.contentModificationDate ?? .distantPast)
        }
        total = entries.values.reduce(0) { $0 + $1.size }
    }

    /// The file name of a picture: the event, frame and width it shows.
    static func name(eventId: Int, frame: String, width: Int) -> String {
        "\(eventId)-\(frame)-\(width).jpg"
    }

    func picture(named name: String, now: Date = Date()) -> [UInt8]? {
        guard let entry = entries[name] else { return nil }
        guard now.timeIntervalSince(entry.storedAt) < lifetime,
            let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
        else {
            remove(name)
            return nil
        }
        return [UInt8](data)
    }

    /// The cached picture, else the one `fetch` gets (kept for later), fetched once however many ask at once.
    func picture(named name: String, now: Date = Date(), fetch: @escaping @Sendable () async throws -> [UInt8]) async throws -> [UInt8] {
        if let cached = picture(named: name, now: now) { return cached }
        if let running = fetching[name] { return try await running.value }
        let task = Task { try await fetch() }
        fetching[name] = task
        defer { fetching[name] = nil }
        let jpeg = try await task.value
        store(jpeg, named: name, now: now)
        return jpeg
    }

    /// Keeps the picture; a cache that cannot write (disk full) serves it anyway, uncached.
    func store(_ jpeg: [UInt8], named name: String, now: Date = Date()) {
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.createFile(atPath: path, contents: Data(jpeg), attributes: [.posixPermissions: 0o600]) else { return }
        if let old = entries[name] { total -= old.size }
        entries[name] = Entry(size: jpeg.count, storedAt: now)
        total += jpeg.count
        evict(now: now)
    }

    /// Drops expired pictures, then the oldest until the cache is within its bound.
    private func evict(now: Date) {
        for (name, entry) in entries where now.timeIntervalSince(entry.storedAt) >= lifetime { remove(name) }
        guard total > capacity else { return }
        for (name, _) in entries.sorted(by: { $0.value.storedAt < $1.value.storedAt }) {
            remove(name)
            if total <= capacity { break }
        }
    }

    private func remove(_ name: String) {
        guard let entry = entries.removeValue(forKey: name) else { return }
        total -= entry.size
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }

    /// Bytes on disk now, for tests and metrics.
    var bytesStored: Int { total }
}
