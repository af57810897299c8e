// Relabelling an array with a type of the same layout (other nested field names or nullability).

extension ArrowArray {
    /// The same buffers under `type`, which must have this array's layout all the way down (only the names and
    /// nullability of nested fields may differ, e.g. a list item called `element` instead of `item`); children are
    /// relabelled with `type`'s children.
    public func retyped(_ type: ArrowType) -> ArrowArray {
        let childTypes = type.children.map(\.type)
        precondition(childTypes.count == children.count, "retyped: \(self.type) and \(type) have different layouts")
        return ArrowArray(type: type, length: length, nullCount: nullCount, offset: offset, validity: validity, buffers: buffers,
                          children: zip(children, childTypes).map { $0.retyped($1) })
    }
}
