import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Parses text as XML with FoundationXML. `XMLDocument` crashes on empty input instead of throwing, so
/// emptiness is checked first and reported as a test failure.
enum XMLCheck {
    static func parse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> XMLDocument {
        try #require(
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "empty document",
            sourceLocation: sourceLocation)
        return try XMLDocument(xmlString: text, options: [])
    }

    /// All elements named `name` (local name, any namespace) below `node`.
    static func elements(_ name: String, in node: XMLNode) -> [XMLElement] {
        var found: [XMLElement] = []
        for child in node.children ?? [] {
            if let element = child as? XMLElement {
                if element.localName == name || element.name == name { found.append(element) }
                found += elements(name, in: element)
            }
        }
        return found
    }
}
