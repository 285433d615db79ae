/* stub */
#include "common/sandbox.h"
