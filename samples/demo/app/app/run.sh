#!/bin/sh
echo "orders service on $(cat /etc/os-release | tr "\n" " ")"
