#ifndef AIMS_CLIBCSV_SHIM_H
#define AIMS_CLIBCSV_SHIM_H
#include <csv.h>
#endif
