# Applied globally so that tests, benchmarks and libraries agree on the runtime.
if(TESSERA_SANITIZE)
  message(STATUS "tessera: sanitizers enabled: ${TESSERA_SANITIZE}")
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=${TESSERA_SANITIZE}>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-omit-frame-pointer>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-sanitize-recover=all>)
  add_link_options(-fsanitize=${TESSERA_SANITIZE})
endif()
