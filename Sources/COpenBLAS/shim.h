// The CBLAS interface of the system OpenBLAS (Debian: libopenblas-dev).
#include <cblas.h>

// OpenBLAS extensions; redeclared so the shim works whichever cblas.h the alternatives system picked.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);
