/* <sys/signal.h>: the same as <signal.h> (Linux numbering), as with glibc. */
#include <signal.h>
