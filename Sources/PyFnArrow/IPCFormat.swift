/// Constants of the Arrow IPC format (Message.fbs / Schema.fbs).
enum IPCFormat {
    /// Starts every encapsulated message.
    static let continuationMarker: UInt32 = 0xFFFF_FFFF
    /// MetadataVersion.V5, the version written.
    static let metadataVersionV5: Int16 = 4
    /// MetadataVersion.V4, the oldest read (same layout for the types supported here).
    static let metadataVersionV4: Int16 = 3
    /// Body buffers start on multiples of this many bytes.
    static let bufferAlignment = 8
    /// Nesting deeper than this is refused.
    static let maximumNestingDepth = 64
    /// A schema with more fields than this (children included) is refused.
    static let maximumFieldCount = 100_000

    /// MessageHeader union tags.
    enum MessageHeader: UInt8 {
        case schema = 1, dictionaryBatch = 2, recordBatch = 3, tensor = 4, sparseTensor = 5
    }

    /// Type union tags.
    enum TypeTag: UInt8 {
        case null = 1, int = 2, floatingPoint = 3, binary = 4, utf8 = 5, bool = 6, decimal = 7, date = 8
        case time = 9, timestamp = 10, interval = 11, list = 12, structType = 13, union = 14
        case fixedSizeBinary = 15, fixedSizeList = 16, map = 17, duration = 18, largeBinary = 19
        case largeUtf8 = 20, largeList = 21, runEndEncoded = 22, binaryView = 23, utf8View = 24
        case listView = 25, largeListView = 26
    }

    /// Field slots of the Message table.
    enum MessageSlot { static let version = 0, headerType = 1, header = 2, bodyLength = 3 }
    /// Field slots of the RecordBatch table.
    enum RecordBatchSlot { static let length = 0, nodes = 1, buffers = 2, compression = 3 }
    /// Field slots of the Schema table.
    enum SchemaSlot { static let endianness = 0, fields = 1, metadata = 2 }
    /// Field slots of the Field table.
    enum FieldSlot {
        static let name = 0, nullable = 1, typeType = 2, type = 3, dictionary = 4, children = 5, metadata = 6
    }
}

extension ArrowTimeUnit {
    /// The TimeUnit enum value in Schema.fbs.
    var ipcValue: Int16 {
        switch self {
        case .second: return 0
        case .millisecond: return 1
        case .microsecond: return 2
        case .nanosecond: return 3
        }
    }

    init?(ipcValue: Int16) {
        switch ipcValue {
        case 0: self = .second
        case 1: self = .millisecond
        case 2: self = .microsecond
        case 3: self = .nanosecond
        default: return nil
        }
    }
}
