import Foundation

// Built with `-D FUZZING -sanitize=fuzzer,address` (scripts/fuzz.sh), `main` hands over to
// libFuzzer's driver, which calls `LLVMFuzzerTestOneInput` below. Built normally (`swift build`), this is a replayer:
// `FuzzCallback FILE|DIR…` runs inputs once (a crash regression check), and
// `FuzzCallback --make-seeds DIR` writes the seed corpus.

nonisolated(unsafe) private var harness: Harness?

private func sharedHarness() -> Harness {
    if let harness { return harness }
    do {
        let made = try Harness()
        harness = made
        return made
    } catch {
        fatalError("cannot set up the harness: \(error)")
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCallback(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    sharedHarness().run(input)
    return 0
}

/// libFuzzer's driver for programs that have their own `main` (SwiftPM links every executable
/// with `main` aliased to the module's entry point, so libFuzzer's `main` is never used).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@main
enum Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzCallback(data, size) })
    }
}
#else
@main
enum Replay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--make-seeds", arguments.count == 2 {
            let count = try Seeds.write(to: arguments[1])
            print("wrote \(count) seeds to \(arguments[1])")
            return
        }
        guard !arguments.isEmpty else {
            print("usage: FuzzCallback FILE|DIR… | --make-seeds DIR")
            exit(2)
        }
        var files: [String] = []
        for path in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                files += try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        let harness = sharedHarness()
        for file in files { harness.run([UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))) }
        let statuses = harness.answered.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
        print("replayed \(files.count) inputs: \(statuses)")
    }
}
#endif
