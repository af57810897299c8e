/// Arrow-native scalar functions (`@udf(func_type="arrow")`): the worker passes each argument as a `pyarrow.Array`
/// of the whole batch and takes an Array back (worker/pyfn/worker/arrow_operation.py). The runner side is the
/// scalar operator's; only the URN differs.
extension BundleDescriptor.Operation {
    /// Arrow scalar functions.
    static let arrowScalar = Self(urn: "pyfn:transform:arrow_scalar_function:v1", name: "arrow")
}
