package io.carbridge.check;

import io.carbridge.Settings;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collection;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Which settings a part of the bridge reads. {@link Settings} reads every value through the context's properties
 * component, whatever its source (the file, {@code -D}, the environment): a view of the context whose properties
 * component notes each key asked for tells which keys were read, so that a given setting nothing read stands out as
 * misspelt.
 */
final class ReadKeys {

    private ReadKeys() {}

    /**
     * The settings as the service reads them at start, adding each key read to {@code read}, in the order read. The one
     * place the checks make {@link Settings}.
     */
    static Settings settings(CamelContext camel, Collection<String> read) {
        return new Settings(recording(camel, read));
    }

    /** The context as {@link Settings} sees it, adding each key it resolves to {@code read}, in the order read. */
    static CamelContext recording(CamelContext camel, Collection<String> read) {
        PropertiesComponent real = camel.getPropertiesComponent();
        PropertiesComponent properties = (PropertiesComponent) Proxy.newProxyInstance(
                PropertiesComponent.class.getClassLoader(),
                new Class<?>[] {PropertiesComponent.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("resolveProperty") && args != null && args.length == 1) {
                        read.add(String.valueOf(args[0]));
                    }
                    return invoke(real, method, args);
                });
        return (CamelContext) Proxy.newProxyInstance(
                CamelContext.class.getClassLoader(),
                new Class<?>[] {CamelContext.class},
                (proxy, method, args) ->
                        method.getName().equals("getPropertiesComponent") && (args == null || args.length == 0)
                                ? properties
                                : invoke(camel, method, args));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
