import Foundation
import LongMemTestSupport
import Testing

/// Keeps docs/ARCHITECTURE.md true. Its target table (layer, target, holds, may import) is checked against the
/// folders under Sources/, every import line of every target's files, Package.swift's `dependencies:` (read
/// as text), its ¹ marks (declared, not imported), the layering rule and the one-error-enum-per-target rule.
/// Violations name the file and line.
@Suite("docs/ARCHITECTURE.md matches Package.swift and every import under Sources/")
struct ArchitectureTests {
    @Test("every Sources/ folder has a row in the table, and every row's folder exists")
    func folders() throws {
        let architecture = try Architecture.load()
        let folders = try FileManager.default.contentsOfDirectory(atPath: Architecture.root + "/Sources")
            .filter { Architecture.isDirectory(Architecture.root + "/Sources/" + $0) }
        let documented = Set(architecture.rows.map { architecture.folder(of: $0.target) })
        for folder in folders.sorted() where !documented.contains("Sources/" + folder) {
            fail("Sources/\(folder) has no row in the table of \(Architecture.document)")
        }
        for row in architecture.rows {
            let folder = architecture.folder(of: row.target)
            if !Architecture.isDirectory(Architecture.root + "/" + folder) {
                fail("\(Architecture.document):\(row.line): \(row.target)'s folder \(folder) does not exist")
            }
        }
    }

    @Test("every import of every target is one its row allows")
    func imports() throws {
        let architecture = try Architecture.load()
        var checked = 0
        for row in architecture.rows {
            let allowed = Set(row.mayImport)
            for line in try architecture.imports(of: row.target) {
                checked += 1
                if !allowed.contains(line.module) {
                    fail(
                        "\(line.file):\(line.line): \(row.target) imports \(line.module), which "
                            + "\(Architecture.document) does not allow (may import: "
                            + "\(row.mayImport.isEmpty ? "nothing" : row.mayImport.joined(separator: ", ")))")
                }
                if line.module == "COpenBLAS" && !line.file.hasSuffix("/BLAS.swift") {
                    fail("\(line.file):\(line.line): only LongMemTensor's BLAS.swift may import COpenBLAS")
                }
            }
        }
        #expect(checked > 100, "found only \(checked) import lines under Sources/: is the parser broken?")
    }

    @Test("a module marked ¹ is imported by no file of its target, and every other one by some file")
    func unusedMarks() throws {
        let architecture = try Architecture.load()
        for row in architecture.rows {
            let imported = Set(try architecture.imports(of: row.target).map(\.module))
            for module in row.mayImport where imported.contains(module) == row.unused.contains(module) {
                fail(
                    row.unused.contains(module)
                        ? "\(Architecture.document):\(row.line): \(row.target) imports \(module), marked ¹ "
                            + "(imported by no file): remove the mark"
                        : "\(Architecture.document):\(row.line): no file of \(row.target) imports \(module): mark it ¹ "
                            + "(declared, not imported) or remove it here and from Package.swift")
            }
        }
    }

    @Test("each row's project targets and packages are exactly the target's dependencies in Package.swift")
    func declaredDependencies() throws {
        let architecture = try Architecture.load()
        let declared = Dictionary(
            architecture.declarations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let documented = Set(architecture.rows.map(\.target))
        for declaration in architecture.declarations.filter({ !$0.isTest && !documented.contains($0.name) }) {
            fail("Package.swift declares .\(declaration.kind) \(declaration.name), which has no row in the table")
        }
        for row in architecture.rows {
            guard let declaration = declared[row.target], !declaration.isTest else {
                fail(
                    "\(Architecture.document):\(row.line): \(row.target) is not a (non-test) target of Package.swift")
                continue
            }
            for module in row.mayImport
            where !architecture.packageModules.contains(module) && !Architecture.toolchainModules.contains(module) {
                fail(
                    "\(Architecture.document):\(row.line): \(row.target) may import \(module), which is neither a target "
                        + "or product of Package.swift nor a toolchain module")
            }
            let allowed = Set(row.mayImport.filter(architecture.packageModules.contains))
            let dependencies = Set(declaration.dependencies)
            for module in dependencies.subtracting(allowed).sorted() {
                fail(
                    "Package.swift: \(row.target) depends on \(module), which \(Architecture.document):\(row.line) "
                        + "does not allow")
            }
            for module in allowed.subtracting(dependencies).sorted() {
                fail(
                    "\(Architecture.document):\(row.line): \(row.target) may import \(module), which Package.swift "
                        + "does not declare as its dependency")
            }
        }
    }

    @Test("a target may import only targets of lower layers, or of its own layer listed below it")
    func layering() throws {
        let architecture = try Architecture.load()
        let positions = Dictionary(
            architecture.rows.enumerated().map { ($1.target, $0) }, uniquingKeysWith: { first, _ in first })
        for (position, row) in architecture.rows.enumerated() {
            for module in row.mayImport {
                guard let importedPosition = positions[module] else { continue }  // not a project target
                let imported = architecture.rows[importedPosition]
                let allowed: Bool
                switch (row.layer, imported.layer) {
                case (.some(let layer), .some(let importedLayer)):
                    allowed = importedLayer < layer || (importedLayer == layer && importedPosition > position)
                case (nil, .some): allowed = true  // test support sits above every library
                case (_, nil): allowed = false  // only tests import test support
                }
                if !allowed {
                    fail(
                        "\(Architecture.document):\(row.line): \(row.target) (layer \(Architecture.name(row.layer))) may "
                            + "import \(module) (layer \(Architecture.name(imported.layer)), line \(imported.line)): "
                            + "neither a lower layer nor listed below it in the same layer")
                }
            }
        }
    }

    @Test("one error enum per Swift library target, <Noun>Error in <Noun>Error.swift; the CLI only retells")
    func errors() throws {
        let architecture = try Architecture.load()
        for row in architecture.rows where row.layer != nil {
            guard !(try architecture.swiftFiles(of: row.target)).isEmpty else { continue }  // C targets
            let types = try architecture.errorTypes(of: row.target)
            if row.target == "LongMemEvalCLI" {
                #expect(types.map(\.name) == ["Message"], "LongMemEvalCLI's error types: \(types)")
                continue
            }
            #expect(types.count == 1, "\(row.target) declares \(types.count) error types: \(types)")
            for type in types
            where type.kind != "enum" || !type.name.hasSuffix("Error") || !type.file.hasSuffix("/\(type.name).swift") {
                fail("\(type.file):\(type.line): \(type.name) should be an enum <Noun>Error in <Noun>Error.swift")
            }
        }
    }

    /// Records `message` as an issue at the caller.
    func fail(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// docs/ARCHITECTURE.md's table and Package.swift's targets, as text.
struct Architecture {
    static let root = FixturePaths.root
    static let document = "docs/ARCHITECTURE.md"
    /// Modules the toolchain provides: listed in the table like any other, never declared in Package.swift.
    static let toolchainModules: Set<String> = [
        "Foundation", "FoundationEssentials", "FoundationInternationalization", "FoundationNetworking",
        "FoundationXML", "Dispatch", "Synchronization", "Glibc", "Musl", "Darwin", "Testing", "XCTest",
    ]

    /// One row of the table: `| layer | target | holds | may import |`.
    struct Row {
        /// nil for the test support row ("test").
        var layer: Int?
        var target: String
        var mayImport: [String]
        /// Modules of `mayImport` marked ¹: declared in Package.swift, imported by no file.
        var unused: Set<String>
        /// 1-based line in the document.
        var line: Int
    }

    /// One `.target(...)`, `.executableTarget(...)`, `.systemLibrary(...)`, `.testTarget(...)` of Package.swift.
    struct Declaration {
        var kind: String
        var name: String
        var path: String?
        /// Target names and product names.
        var dependencies: [String]
        var isTest: Bool { kind == "testTarget" }
    }

    struct ImportLine {
        /// Relative to the repository root.
        var file: String
        var line: Int
        var module: String
    }

    struct ErrorType: CustomStringConvertible {
        var kind: String
        var name: String
        var file: String
        var line: Int
        var description: String { "\(name) (\(file):\(line))" }
    }

    var rows: [Row]
    var declarations: [Declaration]

    /// Targets and products that Package.swift names: what the table's other modules are checked against.
    var packageModules: Set<String> {
        Set(declarations.map(\.name)).union(declarations.flatMap(\.dependencies))
    }

    static func load() throws -> Architecture {
        let documentText = try String(contentsOfFile: root + "/" + document, encoding: .utf8)
        let rows = try parseTable(documentText)
        let manifest = try String(contentsOfFile: root + "/Package.swift", encoding: .utf8)
        let declarations = try parseTargets(manifest)
        try #require(!declarations.isEmpty, "no targets found in Package.swift")
        return Architecture(rows: rows, declarations: declarations)
    }

    /// The folder of `target`, relative to the root: its `path:` in Package.swift, else Sources/<target>.
    func folder(of target: String) -> String {
        declarations.first { $0.name == target }?.path ?? "Sources/" + target
    }

    /// The `.swift` files of `target`, relative to the root, sorted.
    func swiftFiles(of target: String) throws -> [String] {
        let folder = folder(of: target)
        guard let enumerator = FileManager.default.enumerator(atPath: Self.root + "/" + folder) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted()
            .map { folder + "/" + $0 }
    }

    /// Every `import` line of `target`'s files (`import X`, `@testable import X`, `import struct X.Y`, ...).
    func imports(of target: String) throws -> [ImportLine] {
        let pattern =
            #/^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?([A-Za-z_][A-Za-z0-9_]*)/#
        var found: [ImportLine] = []
        for file in try swiftFiles(of: target) {
            let text = try String(contentsOfFile: Self.root + "/" + file, encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.contains("import "), let match = line.prefixMatch(of: pattern) {
                    found.append(ImportLine(file: file, line: index + 1, module: String(match.1)))
                }
            }
        }
        return found
    }

    /// Types of `target` that conform to `Error` where they are declared or extended.
    func errorTypes(of target: String) throws -> [ErrorType] {
        let pattern =
            #/^\s*(?:(?:public|package|internal|fileprivate|private|final|indirect)\s+)*(enum|struct|class|actor|extension)\s+([A-Za-z_][A-Za-z0-9_.]*)(?:<[^>]*>)?\s*:\s*([^{]*)/#
        var found: [ErrorType] = []
        for file in try swiftFiles(of: target) {
            let text = try String(contentsOfFile: Self.root + "/" + file, encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                guard line.contains("Error"), let match = line.prefixMatch(of: pattern) else { continue }
                let conformances = match.3.split(separator: ",").map {
                    $0.split(separator: " ").first.map(String.init) ?? ""
                }
                if conformances.contains(where: { ["Error", "Swift.Error", "LocalizedError"].contains($0) }) {
                    found.append(ErrorType(kind: String(match.1), name: String(match.2), file: file, line: index + 1))
                }
            }
        }
        return found
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func name(_ layer: Int?) -> String { layer.map(String.init) ?? "test" }

    // MARK: The document's table

    static func parseTable(_ text: String) throws -> [Row] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = ["layer", "target", "holds", "may import"]
        let start = try #require(
            lines.firstIndex { cells($0) == header },
            "\(document) has no table headed | layer | target | holds | may import |")
        var rows: [Row] = []
        var index = start + 2  // past the header and its |---| line
        while index < lines.count, lines[index].hasPrefix("|") {
            let line = index + 1
            let parts = cells(lines[index])
            try #require(parts.count == 4, "\(document):\(line): expected 4 cells, found \(parts.count)")
            let layer = Int(parts[0])
            try #require(
                layer != nil || parts[0] == "test", "\(document):\(line): layer '\(parts[0])' is not a number or 'test'"
            )
            let target = try #require(identifiers(parts[1]).first, "\(document):\(line): no `Target` in '\(parts[1])'")
            let unused = parts[3].matches(of: #/`([A-Za-z_][A-Za-z0-9_]*)`\s*¹/#).map { String($0.1) }
            rows.append(
                Row(layer: layer, target: target, mayImport: identifiers(parts[3]), unused: Set(unused), line: line))
            index += 1
        }
        try #require(!rows.isEmpty, "\(document): the target table has no rows")
        return rows
    }

    /// The cells of a Markdown table line, trimmed; [] for other lines.
    static func cells(_ line: String) -> [String] {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("|"), trimmed.hasSuffix("|"), trimmed.count > 1 else { return [] }
        return trimmed.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The module names written in backticks (`` `LongMemTensor` ``); anything else in the cell is prose.
    static func identifiers(_ cell: String) -> [String] {
        cell.matches(of: #/`([A-Za-z_][A-Za-z0-9_]*)`/#).map { String($0.1) }
    }

    // MARK: Package.swift, as text

    /// The declarations of the `targets: [...]` array.
    static func parseTargets(_ manifest: String) throws -> [Declaration] {
        let text = Array(withoutComments(manifest))
        let key = Array("targets:")
        var searchFrom = 0
        var declarations: [Declaration] = []
        // The package's `targets:` argument (products also say `targets:`, followed by a list of strings).
        while let keyStart = firstIndex(of: key, in: text, from: searchFrom) {
            searchFrom = keyStart + key.count
            guard let open = text[searchFrom...].firstIndex(where: { !$0.isWhitespace }), text[open] == "[" else {
                continue
            }
            let close = try matchingClose(text, open: open)
            var index = open + 1
            while index < close {
                // A top-level element: `.kind(` ... `)`.
                if text[index] == "." {
                    var nameEnd = index + 1
                    while nameEnd < close, text[nameEnd].isLetter { nameEnd += 1 }
                    if nameEnd < close, text[nameEnd] == "(" {
                        let end = try matchingClose(text, open: nameEnd)
                        let kind = String(text[(index + 1)..<nameEnd])
                        declarations.append(try declaration(kind: kind, arguments: text[(nameEnd + 1)..<end]))
                        index = end + 1
                        continue
                    }
                }
                if text[index] == "\"" { index = try stringEnd(text, from: index) }
                index += 1
            }
            if !declarations.isEmpty { break }
        }
        return declarations
    }

    static func declaration(kind: String, arguments: ArraySlice<Character>) throws -> Declaration {
        let text = String(arguments)
        let name = try #require(
            text.firstMatch(of: #/\bname:\s*"([^"]+)"/#).map { String($0.1) },
            "Package.swift: a .\(kind) without a name")
        let path = text.firstMatch(of: #/\bpath:\s*"([^"]+)"/#).map { String($0.1) }
        var dependencies: [String] = []
        if let range = text.firstRange(of: #/\bdependencies:\s*\[/#) {
            let characters = Array(text)
            let open = text.distance(from: text.startIndex, to: range.upperBound) - 1
            let close = try matchingClose(characters, open: open)
            // `.product(name: "Crypto", package: "swift-crypto")`: the product is the module, not the package.
            let list = String(characters[(open + 1)..<close]).replacing(#/\bpackage:\s*"[^"]*"/#, with: "")
            dependencies = list.matches(of: #/"([^"]+)"/#).map { String($0.1) }
        }
        return Declaration(kind: kind, name: name, path: path, dependencies: dependencies)
    }

    /// `text` without `//` and `/* */` comments (string literals kept whole).
    static func withoutComments(_ text: String) -> String {
        let characters = Array(text)
        var output: [Character] = []
        var index = 0
        var inString = false
        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            if inString {
                output.append(character)
                if character == "\\", let next {
                    output.append(next)
                    index += 2
                    continue
                }
                if character == "\"" { inString = false }
            } else if character == "/" && next == "/" {
                while index < characters.count, characters[index] != "\n" { index += 1 }
                continue
            } else if character == "/" && next == "*" {
                index += 2
                while index + 1 < characters.count, !(characters[index] == "*" && characters[index + 1] == "/") {
                    index += 1
                }
                index += 2
                continue
            } else {
                if character == "\"" { inString = true }
                output.append(character)
            }
            index += 1
        }
        return String(output)
    }

    /// The index of the bracket that closes the one at `open`, skipping string literals.
    static func matchingClose(_ text: [Character], open: Int) throws -> Int {
        let pairs: [Character: Character] = ["(": ")", "[": "]", "{": "}"]
        var stack: [Character] = []
        var index = open
        while index < text.count {
            let character = text[index]
            if character == "\"" {
                index = try stringEnd(text, from: index)
            } else if let closer = pairs[character] {
                stack.append(closer)
            } else if character == stack.last {
                stack.removeLast()
                if stack.isEmpty { return index }
            }
            index += 1
        }
        throw ParseError(detail: "Package.swift: unbalanced '\(text[open])'")
    }

    /// The index of the quote that ends the string literal starting at `start`.
    static func stringEnd(_ text: [Character], from start: Int) throws -> Int {
        var index = start + 1
        while index < text.count {
            if text[index] == "\\" {
                index += 2
                continue
            }
            if text[index] == "\"" { return index }
            index += 1
        }
        throw ParseError(detail: "Package.swift: unterminated string literal")
    }

    static func firstIndex(of pattern: [Character], in text: [Character], from start: Int) -> Int? {
        guard pattern.count <= text.count else { return nil }
        var index = start
        while index + pattern.count <= text.count {
            if text[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    struct ParseError: Error, CustomStringConvertible {
        var detail: String
        var description: String { detail }
    }
}
