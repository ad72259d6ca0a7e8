/// The verified AI-bot vectors of docs/wecom-protocol.md §10 (receiveid `""`).
enum TestVectors {
    static let token = "AibotTestToken"
    static let encodingAESKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
    static let keyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    static let ivHex = "000102030405060708090a0b0c0d0e0f"

    enum V1 {
        static let random = "RANDOM16BYTES!!!"
        static let timestamp = "1700000000"
        static let nonce = "1234567890"
        static let echostr = "eKM+xtlfPlz9GpwG4zECew9S2p5DGP5RNbHZhCSLKbr+ilkYRRVtLEHCpEzc0cRxskmxuJTGtKzWikiG5bX93A=="
        static let msgSignature = "aef1e23ed27b3270a3ed434a54d7ad1ec11c8901"
        static let plaintext = "6982341587301529"
    }

    enum V2 {
        static let random = "0123456789abcdef"
        static let timestamp = "1700000100"
        static let nonce = "987654321"
        static let msgSignature = "3a70a991239d2cf0f89fcb05991ff54ed362c18e"
        static let encrypt = "4j/AuRx71kQlxVlzbpsMWP7ajIOt4ItxBZ9AHJWxPyW0JQKB2turn9r2WWh/+YQ/uMTCBAy7nvvdM/KipRSkrdvYHEY08ikVpPd8i6fczEOLcltDUeUBBObyn6cwRhjC2gkB9DBa2xQ6p0XQL+BK4Vj8drmacJb2VAAWI5UaqmHEODU7FvK/qckJVEf51CEMCQ4AGycvOWx4q1LatqPOXx1Exflvz9AhWUuKQFZ6Yk31rcjAr9T9X1NWu3Nvdr6jWIZz6vDqVVOyaMpLJAIDVTAUVbaN4rhZni0XQZCmoKOXGOpsJWvHxRLaqOGRcvw/olo6JM3jzenv3ZOatx+TB+XCqh1YVF5rjx35pCBPb7yoSlO6sXnvWBVMg32Mf31/2lRvot1oKOKgMtRYvxnwKIrSl98NEyH9oo5nt/rEKRg="
        static let body = #"{"encrypt":""# + encrypt + #""}"#
        static let plaintext = #"{"msgid":"CAIQ16HMjQYYtestmsgid0001","aibotid":"aibTESTBOTID","chatid":"wrTESTCHATID","chattype":"group","from":{"userid":"zhangsan"},"response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=TESTCODE","msgtype":"text","text":{"content":"@RobotA 你好，帮我总结一下"}}"#
    }

    enum V3 {
        static let random = "fedcba9876543210"
        static let plaintext = #"{"msgtype":"stream","stream":{"id":"stream-0001","finish":false,"content":""}}"#
        static let envelope = #"{"encrypt":"wrNmYnsdngNwZHPRm4NnS14UM1nxUU1+r+bFAfYOv99hOOujOkN496umO4lKa5obZKRhi6gbYIkqemgeRzqLy934MxXnWwOm6fIN4Fs/AzwOYoSlSMsrVIMfrTQ3iecM/nhaE1L0j2SwxX15KcciX4t/Myyi1Z5YHC1F1KlS/v0=","msgsignature":"bccc8ee5389f21fe651a4ce8ff64ae1a8a772394","timestamp":"1700000100","nonce":"987654321"}"#
    }

    enum V4 {
        static let ciphertextHex = "bef9d9cd0c303fd85f348bdcf32d226ffe50ef4868fc855f031aa33cdc098b63aaafd028378e3b9fec0ca018b892a590bfee41b2d46f1b6bd6cd155e02587ff4"
        static let plaintextHex = "89504e470d0a1a0a0000000d4948445266616b652d696d6167652d7061796c6f61642d30313233"
        static let md5 = "21e192246b2e63d9998c54dce9227667"
        static let base64 = "iVBORw0KGgoAAAANSUhEUmZha2UtaW1hZ2UtcGF5bG9hZC0wMTIz"
    }

    enum V5 {
        static let random = "AAAAAAAAAAAAAAAA"
        static let encrypt = "z8bbE36RpJtRsxvOGnsPD6kfEPehD41ujUPt4MdcDTZgaublwh7DdWPvKQWjnh76WVG6VEkQDyxbeNi0ImkGWcKCQSr7fzs+RXVHZl80i6xn5NSZWeq2RAO/PtVjnZOF"
        static let plaintext = String(repeating: "x", count: 44)
    }
}
