dnl gettext.m4 serial 72
AC_DEFUN([AM_GNU_GETTEXT], [])
