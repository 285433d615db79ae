/* stub */
#include "ipc/privop.h"
