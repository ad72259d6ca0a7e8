import NIOCore
import NIOWebSocket

/// One upgraded connection of `WeComWSStandIn`: text messages go to the server's answers, pings
/// get pongs, and a close frame is answered and the socket closed, as RFC 6455 asks.
final class StandInConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let server: WeComWSStandIn
    private var id = 0
    private var closing = false

    init(server: WeComWSStandIn) {
        self.server = server
    }

    func handlerAdded(context: ChannelHandlerContext) {
        id = server.opened(context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        server.closed(id)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            server.handle(Array(frame.unmaskedData.readableBytesView), connection: id, channel: context.channel)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            guard !closing else { return }
            closing = true
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
