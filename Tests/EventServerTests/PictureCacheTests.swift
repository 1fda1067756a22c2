import Foundation
import Testing

@testable import EventServer

@Suite("Picture cache")
struct PictureCacheTests {
    @Test("the cache stays within its bound, oldest out first, and forgets pictures past their lifetime")
    func bounded() async throws {
        let directory = TestServer.makeDirectory() + "/pictures"
        let cache = try PictureCache(directory: directory, lifetime: 3_600, capacityBytes: 2_500)
        let start = Date()
        for index in 0..<5 {
            await cache.store([UInt8](repeating: UInt8(index), count: 1_000), named: "p\(index).jpg", now: start.addingTimeInterval(Double(index)))
        }
        #expect(await cache.bytesStored <= 2_500)
        #expect(await cache.picture(named: "p0.jpg", now: start.addingTimeInterval(10)) == nil)
        #expect(await cache.picture(named: "p4.jpg", now: start.addingTimeInterval(10)) == [UInt8](repeating: 4, count: 1_000))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["p3.jpg", "p4.jpg"])
        #expect(await cache.picture(named: "p4.jpg", now: start.addingTimeInterval(3_700)) == nil)
        #expect(!FileManager.default.fileExists(atPath: directory + "/p4.jpg"))

        // A restart finds what is still on disk.
        let again = try PictureCache(directory: directory, lifetime: 3_600, capacityBytes: 2_500)
        #expect(await again.picture(named: "p3.jpg") != nil)
        let mode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }
}
