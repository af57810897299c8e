// SwiftPM builds a C target only when it has a source file; the interface is all in the header.
#include "CArrowData.h"
