import Foundation
import PyFnProto
import PyFnTestSupport
import SwiftProtobuf
import Testing

/// A ProcessBundleDescriptor carrying UDF descriptors of every kind, nested inputs and every type crosses the
/// language boundary both ways: Swift's bytes decode in Python's generated code, Python's in Swift's, and each side
/// matches them field by field against a reference it builds itself (Tests/PyFnProtoTests/python/descriptor_roundtrip.py
/// builds the same one in Python).
@Suite struct DescriptorInteropTests {
    @Test func swiftEncodedDescriptorDecodesInPython() throws {
        let file = try TestPython.temporaryFolder().appendingPathComponent("descriptor.bin")
        try Reference.descriptor().serializedData().write(to: file)
        let outcome = try TestPython.run("Tests/PyFnProtoTests/python/descriptor_roundtrip.py", ["check", file.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("MATCH"))
    }

    @Test func pythonEncodedDescriptorDecodesInSwift() throws {
        let file = try TestPython.temporaryFolder().appendingPathComponent("descriptor.bin")
        let outcome = try TestPython.run("Tests/PyFnProtoTests/python/descriptor_roundtrip.py", ["write", file.path])
        try #require(outcome.status == 0, "\(outcome.output)")
        var decoded = try ProcessBundleDescriptor(serializedBytes: Data(contentsOf: file))
        var expected = try Reference.descriptor()
        // Payloads are compared decoded: map fields may be serialized in any order.
        let decodedFunctions = try PyFnUserDefinedFunctions(serializedBytes: decoded.transforms["udf"]!.spec.payload)
        #expect(decodedFunctions == Reference.functions())
        #expect(decodedFunctions.udfs.map(\.kind) == [.scalar, .table, .pandasScalar, .aggregate, .pandasAggregate])
        #expect(decodedFunctions.udfs[0].inputs[0].call.name == "g")
        #expect(decodedFunctions.inputSchema.fields.map(\.type.typeName) == [
            .boolean, .tinyint, .smallint, .int, .bigint, .float, .double, .decimal, .string, .bytes, .date, .time,
            .timestamp, .array, .map, .row,
        ])
        decoded.transforms["udf"]!.spec.payload = Data()
        expected.transforms["udf"]!.spec.payload = Data()
        #expect(decoded == expected)
    }

    @Test func tamperedDescriptorIsCaughtByPython() throws {
        var descriptor = try Reference.descriptor()
        var functions = Reference.functions()
        functions.udfs[0].inputs[1].constant.intValue = 7
        descriptor.transforms["udf"]!.spec.payload = try functions.serializedData()
        let file = try TestPython.temporaryFolder().appendingPathComponent("descriptor.bin")
        try descriptor.serializedData().write(to: file)
        let outcome = try TestPython.run("Tests/PyFnProtoTests/python/descriptor_roundtrip.py", ["check", file.path])
        #expect(outcome.status == 1)
        #expect(outcome.output.contains("udf payload .udfs"))
    }
}

/// The reference descriptor, built in Swift.
enum Reference {
    static func type(_ name: PyFnDataType.TypeName, nullable: Bool = true, _ configure: (inout PyFnDataType) -> Void = { _ in }) -> PyFnDataType {
        var type = PyFnDataType()
        type.typeName = name
        type.nullable = nullable
        configure(&type)
        return type
    }

    static func field(_ name: String, _ type: PyFnDataType, description: String = "") -> PyFnDataType.Field {
        var field = PyFnDataType.Field()
        field.name = name
        field.type = type
        field.description_p = description
        return field
    }

    static func column(_ index: Int32) -> PyFnInput {
        var input = PyFnInput()
        input.column = index
        return input
    }

    static func constant(_ type: PyFnDataType, _ set: (inout PyFnConstant) -> Void) -> PyFnInput {
        var constant = PyFnConstant()
        constant.type = type
        set(&constant)
        var input = PyFnInput()
        input.constant = constant
        return input
    }

    static func function(_ name: String, _ kind: PyFnUserDefinedFunction.Kind, _ configure: (inout PyFnUserDefinedFunction) -> Void) -> PyFnUserDefinedFunction {
        var function = PyFnUserDefinedFunction()
        function.name = name
        function.kind = kind
        configure(&function)
        return function
    }

    static func reference(_ module: String, _ name: String) -> PyFnFunctionReference {
        var reference = PyFnFunctionReference()
        reference.module = module
        reference.qualifiedName = name
        return reference
    }

    static func functions() -> PyFnUserDefinedFunctions {
        let g = function("g", .scalar) {
            $0.cloudpickle = Data([0x80, 0x05] + Array("pickled-g".utf8))
            $0.inputs = [column(0)]
            $0.resultType = type(.bigint)
            $0.deterministic = true
        }
        let f = function("f", .scalar) {
            $0.reference = reference("udfs.math", "Adder.add")
            var nested = PyFnInput()
            nested.call = g
            $0.inputs = [
                nested,
                constant(type(.bigint, nullable: false)) { $0.intValue = -7 },
                constant(type(.double)) { $0.doubleValue = 2.5 },
                constant(type(.string)) { $0.stringValue = "héllo" },
                constant(type(.boolean)) { $0.boolValue = true },
                constant(type(.bytes)) { $0.bytesValue = Data([0x00, 0xFF]) },
                constant(type(.decimal) { $0.precision = 5; $0.scale = 1 }) { $0.stringValue = "-12.5" },
                constant(type(.date)) { _ in },
            ]
            $0.resultType = type(.bigint)
            $0.deterministic = false
        }
        let split = function("split", .table) {
            $0.reference = reference("udfs", "split")
            $0.inputs = [column(8)]
            $0.resultType = type(.row) { $0.fields = [field("word", type(.string)), field("n", type(.int))] }
        }
        let pandasAdd = function("pandas_add", .pandasScalar) {
            $0.cloudpickle = Data("pandas".utf8)
            $0.inputs = [column(4), column(3)]
            $0.resultType = type(.bigint)
        }
        let total = function("total", .aggregate) {
            $0.cloudpickle = Data("agg".utf8)
            $0.inputs = [column(4)]
            $0.resultType = type(.bigint)
            $0.accumulatorType = type(.array) { $0.elementType = type(.bigint) }
        }
        let mean = function("mean", .pandasAggregate) {
            $0.cloudpickle = Data("pagg".utf8)
            $0.inputs = [column(6)]
            $0.resultType = type(.double)
        }
        var functions = PyFnUserDefinedFunctions()
        functions.udfs = [f, split, pandasAdd, total, mean]
        functions.inputSchema.fields = [
            field("c_boolean", type(.boolean)),
            field("c_tinyint", type(.tinyint)),
            field("c_smallint", type(.smallint)),
            field("c_int", type(.int)),
            field("c_bigint", type(.bigint, nullable: false)),
            field("c_float", type(.float)),
            field("c_double", type(.double)),
            field("c_decimal", type(.decimal) { $0.precision = 10; $0.scale = 2 }),
            field("c_string", type(.string)),
            field("c_bytes", type(.bytes)),
            field("c_date", type(.date)),
            field("c_time", type(.time) { $0.precision = 3 }),
            field("c_timestamp", type(.timestamp) { $0.precision = 6 }),
            field("c_array", type(.array) { $0.elementType = type(.int) }),
            field("c_map", type(.map) { $0.keyType = type(.string, nullable: false); $0.valueType = type(.bigint) }),
            field("c_row", type(.row) { $0.fields = [field("a", type(.int)), field("b", type(.string), description: "second")] }),
        ]
        functions.jobParameters = ["region": "eu", "threshold": "10"]
        functions.metricEnabled = true
        functions.profileEnabled = true
        functions.arrowBatchSize = 1000
        functions.grouping = [2, 3]
        return functions
    }

    static func transform(_ name: String, _ urn: String, _ payload: Data, inputs: [String: String], outputs: [String: String]) -> PTransform {
        var transform = PTransform()
        transform.uniqueName = name
        transform.spec.urn = urn
        transform.spec.payload = payload
        transform.inputs = inputs
        transform.outputs = outputs
        return transform
    }

    static func descriptor() throws -> ProcessBundleDescriptor {
        var port = RemoteGrpcPort()
        port.apiServiceDescriptor.url = "127.0.0.1:5000"
        port.coderID = "arrow"
        let portBytes = try port.serializedData()
        var descriptor = ProcessBundleDescriptor()
        descriptor.id = "scalar-1"
        descriptor.transforms["source"] = transform("source", "beam:runner:source:v1", portBytes, inputs: [:], outputs: ["out": "in"])
        descriptor.transforms["udf"] = transform("udf", "pyfn:transform:scalar_function:v1", try functions().serializedData(),
                                                 inputs: ["in": "in"], outputs: ["out": "out"])
        descriptor.transforms["sink"] = transform("sink", "beam:runner:sink:v1", portBytes, inputs: ["in": "out"], outputs: [:])
        for name in ["in", "out"] {
            var collection = PCollection()
            collection.uniqueName = name
            collection.coderID = "arrow"
            collection.isBounded = .bounded
            descriptor.pcollections[name] = collection
        }
        var coder = Coder()
        coder.spec.urn = "pyfn:coder:arrow:v1"
        descriptor.coders["arrow"] = coder
        return descriptor
    }
}
