/// Chapter numbers as books write them: roman numerals (`XII`), digits (`12`), and English cardinal or ordinal
/// words (`Twelve`, `Twelfth`, `Twenty-first`, as in "Chapter the Twenty-first").
enum HeadingNumber {
    /// The value of a roman numeral in canonical form (`IV`, not `IIII`; `XL`, not `XXXX`), else nil. Only
    /// canonical spellings count so that words made of the same letters (`MIX`, `DID`, `LID`) are rejected
    /// unless they really are numerals.
    static func roman(_ text: some StringProtocol) -> Int? {
        let values: [Character: Int] = ["I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000]
        let upper = text.uppercased()
        guard !upper.isEmpty, upper.count <= 12 else { return nil }
        var total = 0
        var previous = 0
        for character in upper.reversed() {
            guard let value = values[character] else { return nil }
            if value < previous { total -= value } else { total += value }
            previous = max(previous, value)
        }
        guard total > 0, romanSpelling(total) == upper else { return nil }
        return total
    }

    /// The canonical roman spelling of 1...3999.
    static func romanSpelling(_ value: Int) -> String {
        let table: [(Int, String)] = [
            (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
            (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
        ]
        var remaining = value
        var spelling = ""
        for (amount, letters) in table {
            while remaining >= amount {
                spelling += letters
                remaining -= amount
            }
        }
        return spelling
    }

    /// Digits `1`...`999`.
    static func digits(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.count <= 3, text.allSatisfy(\.isASCII), let value = Int(text), value > 0 else {
            return nil
        }
        return value
    }

    static let units = [
        "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN", "TWELVE",
        "THIRTEEN", "FOURTEEN", "FIFTEEN", "SIXTEEN", "SEVENTEEN", "EIGHTEEN", "NINETEEN",
    ]
    static let unitOrdinals = [
        "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH", "ELEVENTH",
        "TWELFTH", "THIRTEENTH", "FOURTEENTH", "FIFTEENTH", "SIXTEENTH", "SEVENTEENTH", "EIGHTEENTH", "NINETEENTH",
    ]
    static let tens = ["TWENTY", "THIRTY", "FORTY", "FIFTY", "SIXTY", "SEVENTY", "EIGHTY", "NINETY"]
    static let tenOrdinals = [
        "TWENTIETH", "THIRTIETH", "FORTIETH", "FIFTIETH", "SIXTIETH", "SEVENTIETH", "EIGHTIETH", "NINETIETH",
    ]

    /// `ONE`...`NINETY-NINE` and `FIRST`...`NINETY-NINTH` (hyphen or space between tens and units).
    static func words(_ text: some StringProtocol) -> Int? {
        let parts = text.uppercased().split(whereSeparator: { $0 == "-" || $0 == " " }).map(String.init)
        switch parts.count {
        case 1: return single(parts[0])
        case 2:
            guard let ten = tens.firstIndex(of: parts[0]), let unit = single(parts[1]), unit < 10 else { return nil }
            return (ten + 2) * 10 + unit
        default: return nil
        }
    }

    private static func single(_ word: String) -> Int? {
        if let index = units.firstIndex(of: word) { return index + 1 }
        if let index = unitOrdinals.firstIndex(of: word) { return index + 1 }
        if let index = tens.firstIndex(of: word) { return (index + 2) * 10 }
        if let index = tenOrdinals.firstIndex(of: word) { return (index + 2) * 10 }
        return nil
    }

    /// Any of the three spellings.
    static func parse(_ text: some StringProtocol) -> Int? {
        digits(text) ?? roman(text) ?? words(text)
    }
}
