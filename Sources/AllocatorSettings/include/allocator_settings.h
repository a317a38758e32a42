#ifndef AIMS_ALLOCATOR_SETTINGS_H
#define AIMS_ALLOCATOR_SETTINGS_H
/* The `aims` command's allocator settings: see allocator_settings.c. Nothing to call; linking
   the target in is what applies them. */
#endif
