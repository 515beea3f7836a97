# -DNETPROBE_SANITIZE=address,undefined instruments every target.
if(NETPROBE_SANITIZE)
  add_compile_options(-fsanitize=${NETPROBE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${NETPROBE_SANITIZE})
endif()
