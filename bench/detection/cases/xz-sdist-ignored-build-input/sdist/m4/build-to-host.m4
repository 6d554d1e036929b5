# build-to-host.m4 serial 30
AC_DEFUN([gl_BUILD_TO_HOST_INIT],
[
  gl_am_configmake=`grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null`
  gl_path_map='tr "\t \-_" " \t_\-"'
  gl_[$1]_prefix=`echo $gl_am_configmake | sed "s/.*\.//g"`
])
