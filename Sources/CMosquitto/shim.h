#ifndef ZMES_CMOSQUITTO_SHIM_H
#define ZMES_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
