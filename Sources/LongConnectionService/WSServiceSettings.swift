import BotConfig
import LongConnection

/// What `wecom-ws` takes from the configuration, in the units its parts use.
public struct WSServiceSettings: Sendable {
    /// `WECOM_WS_LEASE`: how long a bot's connection lease lasts without a renewal.
    public var lease: Double
    /// How often the holder renews: a third of the lease, so that two missed renewals still
    /// leave it the bot.
    public var renewEvery: Double { lease / 3 }
    /// How often a standby looks for a bot to take: often enough that it subscribes within one
    /// lease period of the holder's death, and a read without a write.
    public var lookEvery: Double { min(max(lease / 10, 0.1), 3) }
    /// `WECOM_STREAM_FLUSH_INTERVAL`: how often at most a stream gets a growing frame (see `frameGap`).
    public var flushInterval: Double
    /// How often the streams are read: a quarter of the flush interval, so that a change waits
    /// little for its frame, without reading the store more than 100 times a second.
    public var pushPollInterval: Double { max(flushInterval / 4, 0.01) }
    /// The shortest gap between two growing frames of one stream: the flush interval less one
    /// read, because the gap is only looked at on each read. The worker writes a stream at most
    /// once per flush interval already; with the whole interval as the gap, a write that came a
    /// little early for the previous frame's read time waited one more read, and at a steady
    /// answer frames went out only every interval and a read, falling further behind the writes.
    public var frameGap: Double { flushInterval - pushPollInterval }
    /// `WECOM_STREAM_DEADLINE`: the stream ends with a notice this long after its first frame.
    public var streamDeadline: Double
    /// How often queued messages the bot sends first are looked for.
    public var outboundPollInterval: Double
    /// How long a claimed outbound message may wait for its bot's connection before it fails.
    public var outboundConnectWait: Double
    public var session: SessionSettings
    /// The default bot, when `WECOM_BOT_ID` and `WECOM_BOT_SECRET` are set.
    public var defaultBot: BotCredentials?

    public init(lease: Double, flushInterval: Double, streamDeadline: Double, outboundPollInterval: Double = 0.2,
                outboundConnectWait: Double = 10, session: SessionSettings, defaultBot: BotCredentials?) {
        self.lease = lease
        self.flushInterval = flushInterval
        self.streamDeadline = streamDeadline
        self.outboundPollInterval = outboundPollInterval
        self.outboundConnectWait = outboundConnectWait
        self.session = session
        self.defaultBot = defaultBot
    }

    public init(configuration: Configuration) {
        let defaultBot = configuration.botID.flatMap { id in
            configuration.botSecret.map { BotCredentials(botID: id, secret: $0) }
        }
        self.init(lease: configuration.wsLease, flushInterval: max(configuration.streamFlushInterval, 0.05),
                  streamDeadline: configuration.streamDeadline,
                  session: SessionSettings(url: configuration.wsURL, pingInterval: .seconds(configuration.wsPingInterval)),
                  defaultBot: defaultBot)
    }
}
