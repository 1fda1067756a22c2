import Mustache

/// Renders the console's pages from `ConsoleTemplates`, parsed once at start.
struct ConsolePages: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// The page's HTML; `values` are its template's variables (escaped by Mustache).
    func render(_ page: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: page) ?? "<!doctype html><p>zmes: no page \(page)</p>"
    }
}
