package io.taskgate.ingress;

import org.springframework.context.annotation.Configuration;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Spring MVC settings for the ingress, which is Camel's platform-http on Spring MVC.
 *
 * <p>No Bean Validation: requests are checked by {@link SubmitTaskValidator} and the routes, and
 * there is no Bean Validation provider on the classpath. But {@code jakarta.validation-api} is (the
 * OpenAPI generator, swagger-core, needs it), so Spring Boot hands MVC a provider-less
 * {@code jakarta.validation.Validator}, and MVC then scans the handler method's annotations for
 * validation groups on every request (1.6 % of the JVM's CPU in a submit flood, bench/RESULTS.md
 * run 9) to validate nothing. A plain Spring validator that supports no type turns that off.
 */
@Configuration(proxyBeanMethods = false)
class IngressMvcConfig implements WebMvcConfigurer {

  @Override
  public Validator getValidator() {
    return new Validator() {
      @Override
      public boolean supports(Class<?> type) {
        return false;
      }

      @Override
      public void validate(Object target, Errors errors) {
        // nothing is validated by Spring MVC here (see the class comment)
      }
    };
  }
}
