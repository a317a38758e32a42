#ifndef AIMS_CLIBXML2_SHIM_H
#define AIMS_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU; its <unicode/...> headers clash with the copy of ICU inside
   Foundation ("UErrorCode has different definitions"). Nothing here uses the ICU converter
   fields, so hide them. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>

/// `xmlFree` is a C global function pointer that Swift 6 refuses to read; wrap it.
static inline void aims_xml_free(void *pointer) { xmlFree(pointer); }
#endif
