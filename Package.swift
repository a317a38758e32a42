// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "AIMSBridge",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "AIMSBridge", targets: ["AIMSBridge"]),
        .executable(name: "aims", targets: ["aims"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CLibCSV", providers: [.apt(["libcsv-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // System calls that Swift's Glibc module does not declare.
        .systemLibrary(name: "CSystemShims"),
        // Byte scans over all of a conversion's input and output, with SSE2 (see its header).
        .systemLibrary(name: "CByteScan"),
        .target(
            name: "AIMSBridge",
            dependencies: [
                "CLibCSV", "CLibXML2", "CSystemShims", "CByteScan",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // The command's jemalloc settings (a C global that jemalloc reads when it starts).
        .target(name: "AllocatorSettings"),
        .executableTarget(
            name: "aims",
            dependencies: [
                "AIMSBridge", "AllocatorSettings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // jemalloc in place of glibc's malloc, for the command only: a conversion's threads
            // free each other's memory (the reader's records on the workers, the workers' output
            // on the writer), and glibc serialises such frees on an arena lock (about 30,000 futex
            // waits per 200,000 rows, measured). The library leaves the allocator to its host.
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "AIMSBridgeTests",
            dependencies: ["AIMSBridge", "CLibCSV", "CSystemShims", "CByteScan"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer harness, only when asked for (it must be built alone, with the sanitizers):
// AIMS_FUZZ=1 swift build --product aims-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// (Scripts/fuzz does this).
if ProcessInfo.processInfo.environment["AIMS_FUZZ"] != nil {
    package.products.append(.executable(name: "aims-fuzz", targets: ["AIMSFuzz"]))
    package.targets.append(.executableTarget(name: "AIMSFuzz", dependencies: ["AIMSBridge"], path: "Fuzz/AIMSFuzz"))
}
