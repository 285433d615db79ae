/* stub */
#include "privd/privd.h"
int main(void) { return 1; }
