/* stub: replaced by its implementation */
#include "privd/privd.h"
