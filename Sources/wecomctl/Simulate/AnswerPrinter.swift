/// Prints a stream's content as it grows: only the new part each time, so the terminal shows
/// one growing answer. Content that is rewritten rather than extended is printed again in
/// full on a new line.
struct AnswerPrinter {
    private(set) var printed = ""

    mutating func show(_ content: String) {
        guard content != printed else { return }
        if content.unicodeScalars.starts(with: printed.unicodeScalars) {
            var suffix = String.UnicodeScalarView()
            suffix.append(contentsOf: content.unicodeScalars.dropFirst(printed.unicodeScalars.count))
            Console.out(String(suffix), terminator: "")
        } else {
            Console.out((printed.isEmpty ? "" : "\n") + content, terminator: "")
        }
        printed = content
    }

    /// Ends the answer's line.
    func end() { Console.out("") }
}
