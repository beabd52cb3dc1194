/* version.h: which version of the service this build is.
 *
 * The checker (and you, by hand) builds the same source twice:
 *   make build-task TASK_SRC=tasks/task12 TASK_OUT=build/tasks/yours/task12
 *   make build-task TASK_SRC=tasks/task12 TASK_OUT=build/tasks/yours/task12-v2 \
 *        TASK_CFLAGS=-DSERVICE_VERSION=2
 * Version 2 differs from version 1 in one handler only (search_handler,
 * handlers.c). SERVICE_VERSION_NAME is the text of the version, "v1" or
 * "v2", for tags and messages.
 */
#ifndef TASK12_VERSION_H
#define TASK12_VERSION_H

#ifndef SERVICE_VERSION
#define SERVICE_VERSION 1
#endif

#if SERVICE_VERSION == 1
#define SERVICE_VERSION_NAME "v1"
#elif SERVICE_VERSION == 2
#define SERVICE_VERSION_NAME "v2"
#else
#error "SERVICE_VERSION must be 1 or 2"
#endif

#endif
