import Testing
@testable import WeComCrypto

/// Codes, names and descriptions; no secret material in any of them.
@Suite struct ErrorDescriptionTests {
    @Test(arguments: [
        (WeComCryptoError.validateSignature, Int32(-40001), "ValidateSignature_Error"),
        (.parseJSON("r"), -40002, "ParseJson_Error"),
        (.xmlEnvelope, -40002, "ParseJson_Error"),
        (.computeSignature, -40003, "ComputeSignature_Error"),
        (.illegalAESKey("r"), -40004, "IllegalAesKey"),
        (.validateReceiveID, -40005, "ValidateCorpid_Error"),
        (.encryptAES("r"), -40006, "EncryptAES_Error"),
        (.decryptAES("r"), -40007, "DecryptAES_Error"),
        (.illegalBuffer("r"), -40008, "IllegalBuffer"),
        (.encodeBase64, -40009, "EncodeBase64_Error"),
        (.decodeBase64, -40010, "DecodeBase64_Error"),
        (.genReturnJSON, -40011, "GenReturnJson_Error"),
        (.illegalProtocolType, -40012, "IllegalProtocolType"),
    ])
    func codeAndConstantNameFollowTheOfficialSamples(error: WeComCryptoError, code: Int32, name: String) {
        #expect(error.code == code)
        #expect(error.constantName == name)
        #expect(error.description == "\(code) \(name): \(error.reason)")
    }

    @Test func descriptionReadsLikeTheSpec() {
        #expect(WeComCryptoError.decryptAES("bad padding byte 33").description
            == "-40007 DecryptAES_Error: bad padding byte 33")
    }

    @Test func descriptionsOfRealFailuresHoldNoSecrets() throws {
        let crypto = try vectorCrypto(receiveID: "wwCorp")
        let errors: [any Error] = [
            captured {
                try crypto.verifyURL(msgSignature: "0", timestamp: "1", nonce: "2", echostr: TestVectors.V1.echostr)
            },
            captured { try crypto.decrypt(TestVectors.V1.echostr) },
            captured { try crypto.decrypt(String(TestVectors.V2.encrypt.prefix(64))) },
            captured { try crypto.decryptMedia([1, 2, 3]) },
            captured { try AESKey(encodingAESKey: String(TestVectors.encodingAESKey.dropLast())) },
            captured { try AESKey(encodingAESKey: "!" + TestVectors.encodingAESKey.dropFirst()) },
        ].compactMap { $0 }
        #expect(errors.count == 6)
        for error in errors {
            let text = "\(error) \(String(reflecting: error))"
            for secret in [TestVectors.token, TestVectors.encodingAESKey, TestVectors.keyHex, TestVectors.ivHex,
                           String(TestVectors.encodingAESKey.prefix(12))] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
    }

    @Test func openSSLFailuresNameTheFunctionAndDrainTheQueue() throws {
        let key = try AESKey(encodingAESKey: TestVectors.encodingAESKey)
        let error = #expect(throws: OpenSSLError.self) {
            try CipherContext.aes256CBC(.decrypt, [UInt8](repeating: 0, count: 15), key: key)
        }
        #expect(error?.function == "EVP_CipherFinal_ex")
        #expect(error?.description.hasPrefix("EVP_CipherFinal_ex failed") == true)
        // A later failure reports only its own errors.
        #expect(OpenSSLError.capture("none").queue.isEmpty)
    }

    private func captured<R>(_ body: () throws -> R) -> (any Error)? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }
}
